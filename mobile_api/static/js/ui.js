// DOM helpers: elements, the view root, short notices.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function svg(tag, attrs = {}) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export function show(...children) {
  const view = document.getElementById("view");
  view.replaceChildren(...children);
  return view;
}

export function notice(text, kind = "info") {
  return el("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function uid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// A labelled form control; every control has a visible label.
export function field(label, control, hint) {
  const id = control.id || `f-${uid().slice(0, 8)}`;
  control.id = id;
  return el("div", { class: "ctl" }, el("label", { for: id }, label), control, hint ? el("p", { class: "hint" }, hint) : null);
}
