// sandbox-node-test: `postpress sandbox` driven from another language, with
// Node's built-in fetch only (no npm package).
//
//   node .ci/sandbox-node-test.mjs PATH/TO/postpress
//
// It starts the sandbox twice on a free loopback port (`--addr
// 127.0.0.1:0`), plain and with `--live-shaped`, reads the base URL from
// the first http:// URL it prints, and reads the scenario list from the
// sandbox itself (GET /_postpresstest/scenarios), so that a scenario added
// to the spec is checked with no edit here. It checks:
//   - every error scenario: its magic account's status, `type`, envelope
//     status and Retry-After, and the same through its Prefer header;
//   - the retry-once scenarios: the error, then the page on the retry;
//   - the page-2 scenario: page 1, the error on page 2, and the listing
//     completed on the plain account from the cursor it stopped at;
//   - the slow scenario's delay and the cut-body scenario's cut;
//   - live-shaped data: the members the docs do not list and null values,
//     and none of them in the plain sandbox.
// It exits 1 naming every check that failed; the sandboxes are stopped on
// every exit.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const bin = process.argv[2];
if (!bin) {
  console.error("usage: node .ci/sandbox-node-test.mjs PATH/TO/postpress");
  process.exit(2);
}
const KEY = "pp_sandbox_node_test";
const SCENARIOS_PATH = "/_postpresstest/scenarios";
const failures = [];
let checks = 0;
const children = [];

function check(ok, what) {
  checks++;
  if (!ok) {
    failures.push(what);
    console.error(`FAIL ${what}`);
  }
}

// start runs the sandbox and resolves to its origin once it printed a URL.
function start(extra) {
  const child = spawn(bin, ["sandbox", "--addr", "127.0.0.1:0", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox ${extra.join(" ")}: no URL within 60 s; it printed:\n${lines.join("\n")}`)), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox ${extra.join(" ")} exited (${code}) before printing a URL:\n${lines.join("\n")}`));
    });
    child.stderr.on("data", (d) => lines.push(String(d).trimEnd()));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      const m = line.match(/https?:\/\/[^\s)"']+/);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[0]).origin);
      }
    });
  });
}

function stopAll() {
  for (const c of children) {
    if (c.exitCode === null) c.kill("SIGTERM");
  }
}
process.on("exit", stopAll);

async function get(origin, path, headers = {}) {
  const res = await fetch(origin + path, { headers: { "X-API-KEY": KEY, ...headers } });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { res, body, text };
}

// withQuery returns path with the query parameter name set to value.
function withQuery(path, name, value) {
  const u = new URL(path, "http://x");
  u.searchParams.set(name, value);
  return u.pathname + u.search;
}

function checkError(r, sc, what) {
  check(r.res.status === sc.status, `${what}: status ${r.res.status}, want ${sc.status}`);
  check(r.body?.type === sc.type, `${what}: type ${r.body?.type}, want ${sc.type}`);
  check(r.body?.status === sc.status, `${what}: envelope status ${r.body?.status}, want ${sc.status}`);
  const ra = r.res.headers.get("retry-after") ?? "";
  check(ra === (sc.retry_after ?? ""), `${what}: Retry-After ${JSON.stringify(ra)}, want ${JSON.stringify(sc.retry_after ?? "")}`);
}

async function main() {
  const [origin, liveOrigin] = await Promise.all([start([]), start(["--live-shaped"])]);
  const idx = await (await fetch(origin + SCENARIOS_PATH)).json();
  const { list, scenarios } = idx;
  const plain = withQuery(list.path, list.account_param, idx.plain_account);
  const byKind = (k) => scenarios.filter((s) => s.kind === k);
  for (const k of ["error", "retry-once", "fail-page-2", "slow", "cut-body"]) {
    check(byKind(k).length > 0, `the sandbox lists no ${k} scenario`);
  }

  // Every error type: the magic account, and the Prefer header.
  await Promise.all(
    byKind("error").map(async (sc) => {
      checkError(await get(origin, sc.request), sc, sc.account);
      if (sc.header) {
        const [name, value] = sc.header.split(/:\s*/, 2);
        checkError(await get(origin, plain, { [name]: value }), sc, sc.header);
      }
    }),
  );

  // Retry once: the error, then the page.
  for (const sc of byKind("retry-once")) {
    checkError(await get(origin, sc.request), sc, `${sc.account} first request`);
    const again = await get(origin, sc.request);
    check(again.res.status === 200 && Array.isArray(again.body?.[list.items_member]), `${sc.account} retry: status ${again.res.status}, want 200 and a page`);
  }

  // Page 2 fails after page 1; the cursor completes the listing on the plain account.
  for (const sc of byKind("fail-page-2")) {
    const first = await get(origin, withQuery(sc.request, list.limit_param, "2"));
    const cursor = first.body?.[list.cursor_member];
    check(first.res.status === 200 && typeof cursor === "string", `${sc.account} page 1: status ${first.res.status}, cursor ${cursor}`);
    if (typeof cursor !== "string") continue;
    checkError(await get(origin, withQuery(withQuery(sc.request, list.limit_param, "2"), list.cursor_param, cursor)), sc, `${sc.account} page 2`);
    let items = first.body[list.items_member].length;
    let next = cursor;
    for (let n = 0; next && n < 1000; n++) {
      const page = await get(origin, withQuery(withQuery(plain, list.limit_param, "2"), list.cursor_param, next));
      check(page.res.status === 200, `${sc.account} resumed on ${idx.plain_account}: status ${page.res.status}`);
      if (page.res.status !== 200) break;
      items += page.body[list.items_member].length;
      next = page.body[list.cursor_member];
    }
    let whole = 0;
    for (let c = null, n = 0; n < 1000; n++) {
      const path = c ? withQuery(plain, list.cursor_param, c) : plain;
      const page = await get(origin, path);
      if (page.res.status !== 200) break;
      whole += page.body[list.items_member].length;
      if (!(c = page.body[list.cursor_member])) break;
    }
    check(items === whole, `${sc.account}: resumed listing has ${items} items, the plain account ${whole}`);
  }

  // Slow: answered, late.
  for (const sc of byKind("slow")) {
    const t0 = Date.now();
    const r = await get(origin, sc.request);
    const ms = Date.now() - t0;
    check(r.res.status === 200 && ms >= sc.delay_ms * 0.9, `${sc.account}: status ${r.res.status} after ${ms} ms, want 200 after ${sc.delay_ms} ms`);
  }

  // Cut body: the body ends before its Content-Length.
  for (const sc of byKind("cut-body")) {
    let cut = false;
    try {
      const res = await fetch(origin + sc.request, { headers: { "X-API-KEY": KEY } });
      JSON.parse(await res.text());
    } catch {
      cut = true;
    }
    check(cut, `${sc.account}: the whole body arrived`);
  }

  // Live-shaped data: the undocumented members and nulls, only with --live-shaped.
  const liveIdx = await (await fetch(liveOrigin + SCENARIOS_PATH)).json();
  check(liveIdx.live_shaped === true && idx.live_shaped === false, `live_shaped: ${liveIdx.live_shaped} with --live-shaped, ${idx.live_shaped} without`);
  check(idx.live_extra_members.length > 0, "the sandbox lists no live-shaped members");
  const live = await get(liveOrigin, plain);
  const exact = await get(origin, plain);
  const liveItems = JSON.stringify(live.body?.[list.items_member] ?? []);
  const exactItems = JSON.stringify(exact.body?.[list.items_member] ?? []);
  for (const m of idx.live_extra_members) {
    check(liveItems.includes(`"${m}":`), `--live-shaped: no item carries ${m}`);
    check(!exactItems.includes(`"${m}":`), `plain sandbox: an item carries ${m}`);
  }
  check(liveItems.includes(":null"), "--live-shaped: no null in the items");
  check(!exactItems.includes(":null"), "plain sandbox: a null in the items");

  console.log(`sandbox-node-test: ${checks} checks, ${scenarios.length} scenarios, ${failures.length} failed`);
}

main()
  .catch((e) => {
    failures.push(String(e?.stack ?? e));
    console.error(e);
  })
  .finally(() => {
    stopAll();
    process.exit(failures.length ? 1 : 0);
  });
