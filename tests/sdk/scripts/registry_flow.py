"""Run inside the official SDK's own venv: the prompt-registry flow through its public API.

Reads the server and key from ``SDK_TEST_HOST`` / ``SDK_TEST_API_KEY`` and prints one JSON
object with what each call returned, for the test to check. Not collected by pytest.
"""

import json
import os

import agenta as ag

PARAMS_V1 = {"prompt": {"messages": [{"role": "user", "content": "Capital of {{country}}?"}]}}
PARAMS_V2 = {
    "prompt": {"messages": [{"role": "user", "content": "What is the capital of {{country}}?"}]}
}


def main() -> None:
    ag.init(host=os.environ["SDK_TEST_HOST"], api_key=os.environ["SDK_TEST_API_KEY"])
    app = ag.AppManager.create(app_slug="sdk-app")
    created = ag.VariantManager.create(
        parameters=PARAMS_V1, app_slug="sdk-app", variant_slug="default"
    )
    committed = ag.VariantManager.commit(
        parameters=PARAMS_V2, app_slug="sdk-app", variant_slug="default"
    )
    deployment = ag.DeploymentManager.deploy(
        app_slug="sdk-app",
        variant_slug="default",
        environment_slug="production",
        variant_version=created.variant_version,
    )
    by_environment = ag.ConfigManager.get_from_registry(
        app_slug="sdk-app", environment_slug="production"
    )
    by_version = ag.ConfigManager.get_from_registry(
        app_slug="sdk-app", variant_slug="default", variant_version=committed.variant_version
    )
    latest = ag.ConfigManager.get_from_registry(app_slug="sdk-app", variant_slug="default")
    history = ag.VariantManager.history(app_slug="sdk-app", variant_slug="default")
    ag.VariantManager.delete(app_slug="sdk-app", variant_slug="default")
    remaining = ag.VariantManager.list(app_slug="sdk-app")
    print(
        json.dumps(
            {
                "app": {"id": app.app_id, "slug": app.app_slug},
                "created": created.model_dump(),
                "committed": committed.model_dump(),
                "deployment": deployment.model_dump(),
                "by_environment": by_environment,
                "by_version": by_version,
                "latest": latest,
                "history": [entry.model_dump() for entry in history],
                "remaining_variants": [variant.variant_slug for variant in remaining],
            }
        )
    )


main()
