// JSON API calls with the session cookie and the CSRF header; errors carry the problem body.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function cookie(name) {
  const m = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return m ? decodeURIComponent(m[1]) : "";
}

export function setCsrf(token) {
  if (token) localStorage.setItem("csrf", token);
}

export const csrf = () => cookie("rs_csrf") || localStorage.getItem("csrf") || "";

// Throws TypeError when the network is down (fetch's own error), ApiError on an HTTP error.
export async function api(path, { method = "GET", body, form, headers = {} } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (method !== "GET") h["X-CSRF-Token"] = csrf();
  let payload = form;
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers: h, body: payload, credentials: "same-origin" });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, data);
  return { status: r.status, data, cached: r.headers.get("X-From-Cache") === "1", etag: r.headers.get("ETag") };
}

export const offlineError = (e) => e instanceof TypeError;
