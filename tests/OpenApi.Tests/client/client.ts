// A client of the gateway built from its OpenAPI document alone: `openapi-typescript` writes generated/schema.d.ts
// from the document the gateway serves, `tsc --strict` compiles this program against it, and node runs it against
// the live gateway (GeneratedClientTests). Every endpoint is called once, as the types say it is called; nothing in
// generated/ is edited by hand. Settings come from the environment.
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

const setting = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const api = createClient<paths>({ baseUrl: setting("LEDGER_URL") });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const admin = bearer(setting("LEDGER_ADMIN_TOKEN"));
const citizen = bearer(setting("LEDGER_CITIZEN_TOKEN"));
const teller = bearer(setting("LEDGER_TELLER_TOKEN"));
const sale = { programId: setting("LEDGER_PROGRAM"), month: setting("LEDGER_MONTH") };

const failures: string[] = [];
let passed = 0;
const check = (what: string, holds: boolean, seen?: unknown) => {
  if (holds) passed++;
  else failures.push(`${what}: ${JSON.stringify(seen)}`);
};

const policy = await api.PUT("/programs/{programId}/months/{month}", {
  params: { path: sale },
  headers: admin,
  body: {
    opensAt: setting("LEDGER_OPENS_AT"),
    discountBps: 1000,
    citizenMonthlyLimit: 200000,
    unit: 10000,
    caps: { mobile: 5900000000, paper: 1900000000 },
  },
});
check("PUT policy", policy.data?.unit === 10000, policy.error);

const state = await api.GET("/programs/{programId}/months/{month}", { params: { path: sale } });
check("GET state", state.data?.status === "open" && state.data.channels["mobile"]?.status === "open", state.error ?? state.data);

const buy = (key: string, amount: number) =>
  api.POST("/programs/{programId}/months/{month}/purchases", {
    params: { path: sale, header: { "Idempotency-Key": key } },
    headers: citizen,
    body: { channel: "mobile", amount },
  });
const bought = await buy("tap-1", 200000);
check("POST purchase", bought.response.status === 201 && bought.data?.status === "confirmed", bought.error);
const purchaseId = bought.data?.purchaseId ?? "none.2022-12.1";
check("Location", bought.response.headers.get("Location") === `/purchases/${purchaseId}`, bought.response.headers.get("Location"));
const again = await buy("tap-1", 200000);
check("POST purchase again", again.data?.purchaseId === purchaseId, again.error);
const over = await buy("tap-2", 10000);
const rejection = over.response.status === 409 && over.error !== undefined && "code" in over.error ? over.error : undefined;
check("POST over the limit", rejection?.code === "limit-exceeded", over.error);

const paper = await api.POST("/programs/{programId}/months/{month}/purchases", {
  params: { path: sale, header: { "Idempotency-Key": "counter-1" } },
  headers: teller,
  body: { channel: "paper", amount: 10000, citizenId: "walk-in-1" },
});
check("POST paper by a teller", paper.data?.channel === "paper" && paper.data.citizenId === "walk-in-1", paper.error);

const read = await api.GET("/purchases/{purchaseId}", { params: { path: { purchaseId } }, headers: citizen });
check("GET purchase", read.data?.amount === 200000, read.error);
const cancelled = await api.POST("/purchases/{purchaseId}/cancel", { params: { path: { purchaseId } }, headers: citizen });
check("POST cancel", cancelled.data?.status === "cancelled", cancelled.error);

const month = await api.GET("/citizens/me/programs/{programId}/months/{month}", { params: { path: sale }, headers: citizen });
check("GET my month", month.data?.used === 0 && month.data.purchases.length === 1, month.error);

const ledger = await api.GET("/programs/{programId}/months/{month}/ledger", {
  params: { path: sale, query: { after: 0, limit: 10 } },
  headers: admin,
});
check("GET ledger", ledger.data?.entries.map((e) => e.kind).join(",") === "purchase,purchase,cancel" && ledger.data.next === null,
  ledger.error ?? ledger.data);
const audit = await api.GET("/programs/{programId}/months/{month}/audit", { params: { path: sale }, headers: admin });
check("GET audit", audit.data?.consistent === true, audit.error);
const reconciliation = await api.GET("/programs/{programId}/months/{month}/reconciliation", { params: { path: sale }, headers: admin });
check("GET reconciliation", reconciliation.data?.consistent === true, reconciliation.error);
const history = await api.GET("/programs/{programId}/months/{month}/policy-history", { params: { path: sale }, headers: admin });
check("GET policy history", history.data?.versions[0]?.setBy === "oa-admin", history.error);

const feed = await api.GET("/sales/feed", { params: { query: { program: sale.programId } } });
check("GET sales feed", feed.data?.programs[0]?.programId === sale.programId, feed.error);
const salesPage = await api.GET("/sales", { params: { query: { program: sale.programId } }, parseAs: "text" });
check("GET sales page", salesPage.data?.startsWith("<!doctype html>") === true, salesPage.error);
const buyPage = await api.GET("/buy/{programId}/{month}", { params: { path: sale }, parseAs: "text" });
check("GET buy page", buyPage.data?.startsWith("<!doctype html>") === true, buyPage.error);
const live = await api.GET("/health/live", { parseAs: "text" });
check("GET live", live.data === "live", live.error);
const ready = await api.GET("/health/ready", { parseAs: "text" });
check("GET ready", ready.data === "ready", ready.error);
const metrics = await api.GET("/metrics", { parseAs: "text" });
check("GET metrics", metrics.data?.includes("# TYPE") === true, metrics.error);

for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length === 0 ? 0 : 1;
