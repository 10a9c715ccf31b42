# syntax=docker/dockerfile:1
#
# Agenta: one image for every role (`agenta serve`, `agenta worker`, `agenta migrate`).
#
# The package is installed editable from /app so that migrations/ stays beside agenta/, where the
# CLI looks for it. Dependencies are installed in their own layer, read from pyproject.toml, so a
# code change rebuilds in seconds. Everything runs as an unprivileged user; the only writable
# place is the data volume.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AGENTA_DATA_DIR=/data

RUN groupadd --system --gid 10001 agenta \
    && useradd --system --uid 10001 --gid agenta --home-dir /app --no-create-home agenta

WORKDIR /app

COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-cache-dir --no-deps -e . \
    && python -m compileall -q agenta \
    && mkdir -p /data \
    && chown agenta:agenta /data

USER agenta
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AGENTA_PORT', '8000') + '/health', timeout=4)"

CMD ["agenta", "serve", "--host", "0.0.0.0"]
