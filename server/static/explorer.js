"use strict";
const cookie = (name) => (document.cookie.split("; ").find((c) => c.startsWith(name + "=")) || "").slice(name.length + 1);
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => (k === "text" ? (e.textContent = v) : e.setAttribute(k, v)));
  kids.forEach((k) => e.append(k));
  return e;
}
function operation(path, method, op) {
  const box = el("details");
  box.append(el("summary", {}, el("code", { class: "m " + method, text: method.toUpperCase() }), ` ${path} — ${op.summary}`));
  const inputs = {};
  for (const p of op.parameters || []) {
    inputs[p.name] = el("input", { placeholder: `${p.in} ${p.schema.type}${p.description ? " — " + p.description : ""}` });
    box.append(el("label", { text: p.name }, inputs[p.name]));
  }
  let body = null;
  if (op.requestBody) {
    const props = op.requestBody.content["application/json"].schema.properties || {};
    body = el("textarea", { rows: "4" });
    body.value = JSON.stringify(Object.fromEntries(Object.keys(props).map((k) => [k, ""])), null, 1);
    box.append(el("label", { text: "JSON body" }, body));
  }
  const out = el("pre");
  const send = el("button", { text: "Send" });
  send.onclick = async () => {
    let url = path, query = new URLSearchParams();
    for (const p of op.parameters || []) {
      const v = inputs[p.name].value;
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(v));
      else if (v) query.set(p.name, v);
    }
    const headers = { "X-CSRF-Token": decodeURIComponent(cookie("rs_csrf")) };
    if (body) headers["Content-Type"] = "application/json";
    const res = await fetch(url + (query.size ? "?" + query : ""), { method: method.toUpperCase(), headers, body: body ? body.value : undefined, credentials: "same-origin" });
    out.textContent = `${res.status} ${res.statusText}\n\n` + (await res.text());
  };
  box.append(send, out);
  return box;
}
fetch("/api/v1/openapi.json").then((r) => r.json()).then((spec) => {
  const root = document.getElementById("ops");
  root.textContent = "";
  const byTag = {};
  for (const [path, ops] of Object.entries(spec.paths))
    for (const [method, op] of Object.entries(ops)) (byTag[op.tags[0]] ||= []).push(operation(path, method, op));
  for (const [tag, boxes] of Object.entries(byTag)) root.append(el("h2", { text: tag }), ...boxes);
});
