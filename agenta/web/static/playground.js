// The playground: turns each column's editor into a draft `parameters` object, runs every
// column at once against the built-in service (Server-Sent Events, rendered as they come),
// adds compare columns, fills the commit forms and warns before leaving unsaved drafts.
(function () {
  "use strict";

  const root = document.getElementById("playground");
  if (!root) return;
  const columns = document.getElementById("columns");
  const isChat = root.dataset.kind === "chat";
  const baselines = new WeakMap();
  let submitting = false;

  function field(column, selector) {
    return column.querySelector(selector);
  }

  function numberOf(column, selector) {
    const raw = field(column, selector).value.trim();
    return raw === "" ? undefined : Number(raw);
  }

  function jsonOf(column, selector, label) {
    const raw = field(column, selector).value.trim();
    if (raw === "") return undefined;
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new Error(label + " is not valid JSON: " + error.message);
    }
  }

  function messagesOf(container) {
    return Array.from(container.querySelectorAll(":scope > .pg-message")).map((row) => ({
      role: row.querySelector(".pg-role").value,
      content: row.querySelector(".pg-content").value,
    }));
  }

  function setOrDrop(target, key, value) {
    if (value === undefined) delete target[key];
    else target[key] = value;
  }

  // The stored prompt, with the editor's fields laid over it (so fields the editor does not
  // show, like fallbacks or input keys, are kept as they were).
  function draftOf(column) {
    const stored = JSON.parse(column.dataset.stored || "{}");
    const prompt = Object.assign({}, stored.prompt || {});
    const config = Object.assign({}, prompt.llm_config || {});
    prompt.messages = messagesOf(field(column, ".pg-messages"));
    prompt.template_format = field(column, ".pg-format").value;
    config.model = field(column, ".pg-model").value;
    setOrDrop(config, "temperature", numberOf(column, ".pg-temperature"));
    setOrDrop(config, "max_tokens", numberOf(column, ".pg-max-tokens"));
    setOrDrop(config, "top_p", numberOf(column, ".pg-top-p"));
    const kind = field(column, ".pg-response-type").value;
    const schema = jsonOf(column, ".pg-json-schema", "The JSON schema");
    if (kind === "text") delete config.response_format;
    else if (kind === "json_schema") config.response_format = { type: kind, json_schema: schema || {} };
    else config.response_format = { type: kind };
    setOrDrop(config, "tools", jsonOf(column, ".pg-tools", "The tools"));
    prompt.llm_config = config;
    return Object.assign({}, stored, { prompt: prompt });
  }

  function allColumns() {
    return Array.from(columns.querySelectorAll(".pg-column"));
  }

  function safeDraft(column) {
    try {
      return JSON.stringify(draftOf(column));
    } catch (error) {
      return "invalid:" + error.message;
    }
  }

  // Read by the inputs panel's hx-vals on every refresh.
  window.playgroundPrompts = function () {
    return JSON.stringify(
      allColumns().map((column) => {
        try {
          return draftOf(column).prompt;
        } catch (error) {
          return null;
        }
      }),
    );
  };

  function markDirty() {
    for (const column of allColumns()) {
      const dirty = safeDraft(column) !== baselines.get(column);
      field(column, ".pg-dirty").hidden = !dirty;
      column.classList.toggle("dirty", dirty);
    }
  }

  function adopt(column) {
    baselines.set(column, safeDraft(column));
    markDirty();
  }

  function inputsOf() {
    const inputs = {};
    for (const box of document.querySelectorAll("#inputs [data-variable]")) {
      inputs[box.dataset.variable] = box.value;
    }
    if (isChat) {
      inputs.messages = messagesOf(document.getElementById("pg-chat")).filter(
        (message) => message.content.trim() !== "",
      );
    }
    return inputs;
  }

  function show(column, selector, text) {
    const box = field(column, selector);
    box.textContent = text;
    box.hidden = !text;
  }

  function showDone(column, event) {
    const meta = event.meta || {};
    const usage = meta.usage || {};
    const box = field(column, ".pg-meta");
    box.textContent = "";
    const parts = [
      "tokens " + (usage.total_tokens ?? "?"),
      "cost $" + (meta.cost ?? 0),
      "latency " + (meta.latency_ms ?? "?") + " ms",
    ];
    box.append(parts.join(" · ") + " · ");
    const link = document.createElement("a");
    link.href = "/observability/traces/" + encodeURIComponent(event.trace_id);
    link.textContent = "trace";
    link.className = "pg-trace";
    box.append(link);
  }

  function errorText(body, status) {
    if (body && body.status && body.status.message) return body.status.message;
    if (body && body.detail) return typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    return "The run failed (HTTP " + status + ")";
  }

  function handle(column, event) {
    if (event.type === "delta" && event.data && event.data.content) {
      field(column, ".pg-output").textContent += event.data.content;
    } else if (event.type === "done") {
      showDone(column, event);
      column.dataset.state = "done";
    } else if (event.type === "error") {
      show(column, ".pg-error", errorText(event, event.status && event.status.code));
      column.dataset.state = "error";
    }
  }

  async function readEvents(column, response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of frame.split("\n")) {
          if (line.startsWith("data: ")) handle(column, JSON.parse(line.slice(6)));
        }
      }
    }
  }

  async function run(column, inputs) {
    field(column, ".pg-output").textContent = "";
    field(column, ".pg-meta").textContent = "";
    show(column, ".pg-error", "");
    column.dataset.state = "running";
    let parameters;
    try {
      parameters = draftOf(column);
    } catch (error) {
      show(column, ".pg-error", error.message);
      column.dataset.state = "error";
      return null;
    }
    try {
      const response = await fetch(root.dataset.service, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream",
          "x-csrftoken": root.dataset.csrf,
        },
        body: JSON.stringify({ data: { inputs: inputs, parameters: parameters } }),
      });
      const type = response.headers.get("content-type") || "";
      if (!response.ok || !type.startsWith("text/event-stream")) {
        const body = await response.json().catch(() => null);
        show(column, ".pg-error", errorText(body, response.status));
        column.dataset.state = "error";
        return null;
      }
      await readEvents(column, response);
    } catch (error) {
      show(column, ".pg-error", "The run was interrupted: " + error.message);
      column.dataset.state = "error";
    }
    return column.dataset.state === "done" ? field(column, ".pg-output").textContent : null;
  }

  async function runAll() {
    const inputs = inputsOf();
    const replies = await Promise.all(allColumns().map((column) => run(column, inputs)));
    if (isChat && replies[0] !== null) addMessage(document.getElementById("pg-chat"), "assistant", replies[0]);
  }

  function addMessage(container, role, content) {
    const row = document.getElementById("pg-message-template").content.firstElementChild.cloneNode(true);
    const select = row.querySelector(".pg-role");
    if (!Array.from(select.options).some((option) => option.value === role)) select.add(new Option(role, role));
    select.value = role;
    row.querySelector(".pg-content").value = content || "";
    container.append(row);
    return row;
  }

  async function addColumn(form) {
    form.append("_csrf_token", root.dataset.csrf);
    const response = await fetch("/apps/" + root.dataset.app + "/playground/column", {
      method: "POST",
      headers: { "x-csrftoken": root.dataset.csrf },
      body: new URLSearchParams(form),
    });
    if (!response.ok) {
      window.alert("Could not add the column (HTTP " + response.status + ")");
      return;
    }
    columns.insertAdjacentHTML("beforeend", await response.text());
    const column = columns.lastElementChild;
    adopt(column);
    layout();
    htmx.trigger("#inputs", "refresh");
  }

  function layout() {
    columns.dataset.count = String(allColumns().length);
  }

  function fillDraft(form) {
    const column = form.closest(".pg-column");
    try {
      form.elements.parameters.value = JSON.stringify(draftOf(column));
    } catch (error) {
      show(column, ".pg-error", error.message);
      return false;
    }
    submitting = true;
    return true;
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const action = button.dataset.action;
    if (button.id === "pg-run") runAll();
    else if (button.id === "pg-add-column") {
      const form = new FormData();
      form.append("revision_id", document.getElementById("pg-add-revision").value);
      addColumn(form);
    } else if (button.id === "pg-copy-draft") {
      const first = allColumns()[0];
      const form = new FormData();
      form.append("revision_id", first.dataset.revisionId);
      form.append("parameters", JSON.stringify(draftOf(first)));
      addColumn(form);
    } else if (action === "add-message") {
      addMessage(field(button.closest(".pg-column"), ".pg-messages"), "user", "");
      markDirty();
    } else if (action === "add-chat") {
      addMessage(document.getElementById("pg-chat"), button.dataset.role, "");
    } else if (action === "remove-message") {
      const column = button.closest(".pg-column");
      button.closest(".pg-message").remove();
      if (column) {
        markDirty();
        htmx.trigger("#inputs", "refresh");
      }
    } else if (action === "remove-column" && allColumns().length > 1) {
      button.closest(".pg-column").remove();
      layout();
      markDirty();
      htmx.trigger("#inputs", "refresh");
    }
  });

  function anyDirty() {
    return allColumns().some((column) => column.classList.contains("dirty"));
  }

  // A deploy sends the stored revision and leaves the page, and the unload warning stays quiet
  // for the page's own forms: without this, edits would vanish unnoticed.
  function confirmDeploy(form) {
    if (!anyDirty()) return true;
    const version = "v" + form.dataset.version;
    return window.confirm(
      "You have unsaved changes. Deploying sends the stored " + version + ", not your edits, " +
        "and the edits will be lost. Commit them first to deploy them.\n\nDeploy " + version +
        " anyway?",
    );
  }

  columns.addEventListener("input", markDirty);
  columns.addEventListener("change", markDirty);
  columns.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-draft-form]") && !fillDraft(form)) event.preventDefault();
    if (!form.matches(".pg-deploy")) return;
    if (confirmDeploy(form)) submitting = true;
    else event.preventDefault();
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !anyDirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  allColumns().forEach(adopt);
  layout();
})();
