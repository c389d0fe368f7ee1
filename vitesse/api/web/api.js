// The REST API from the page: the token (URL fragment -> sessionStorage), JSON in and out, the error envelope.
const KEY = "vitesse.token";
export const PREFIX = "/api/v1/vitesse";
let unauthorized = () => {};

// `#token=...` (fragments never reach the server): keep it for this tab, then take it out of the address bar.
export function takeToken() {
  const found = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (found) {
    sessionStorage.setItem(KEY, decodeURIComponent(found[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

export const setToken = (value) => sessionStorage.setItem(KEY, value);
export const whenUnauthorized = (callback) => { unauthorized = callback; };

// {ok, status, body}; a failure's body is the seed's envelope {status: "failed", error, http_status}.
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(PREFIX + path, init);
  } catch (error) {
    return { ok: false, status: 0, body: { status: "failed", error: `no answer: ${error.message}`, http_status: 0 } };
  }
  let data;
  try {
    data = await response.json();
  } catch {
    data = { status: "failed", error: `HTTP ${response.status}, not JSON`, http_status: response.status };
  }
  if (response.status === 401) unauthorized();
  return { ok: response.ok, status: response.status, body: data };
}
