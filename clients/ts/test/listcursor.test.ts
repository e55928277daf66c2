// A listing page that says more follow (listover false) but gives no way
// there: no context, or one an earlier page gave (a loop). As Go's List,
// list throws BadAnswerError before yielding that page's entries, never
// ending as if the listing were complete, nor going round for ever.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BadAnswerError, createClient } from "../src/index.js";
import { appid, bucket, secretId, secretKey, startServer, type Server } from "./helpers.js";

let srv: Server;

before(async () => {
  srv = await startServer();
  const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
  await c.mkdir("/pages/");
  for (const n of ["a", "b", "c", "d", "e", "f", "g", "h"]) await c.put(`/pages/${n}`, n);
});
after(() => srv.stop());

type Data = { context?: string; listover?: boolean };

/**
 * rewritePages is a fetch that sends every request to the server and hands
 * the data of each list answer (its page counting from 1, and the contexts
 * of the pages so far) to edit.
 */
function rewritePages(edit: (page: number, data: Data, contexts: string[]) => void): typeof fetch {
  const contexts: string[] = [];
  return async (input, init) => {
    const r = await fetch(input, init);
    if (!String(input).includes("op=list")) return r;
    const env = (await r.json()) as { data: Data };
    contexts.push(env.data.context ?? "");
    edit(contexts.length, env.data, contexts);
    return new Response(JSON.stringify(env), { status: r.status, headers: { "Content-Type": "application/json" } });
  };
}

/** listAll lists /pages/ in pages of 2 (of 8 entries), stopping at 100 names: a guard against a loop. */
async function listAll(f: typeof fetch): Promise<{ names: string[]; error?: unknown }> {
  const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: f });
  const names: string[] = [];
  try {
    for await (const e of c.list("/pages/", { pageSize: 2 })) if (names.push(e.name) > 100) break;
  } catch (error) {
    return { names, error };
  }
  return { names };
}

for (const [name, badPage, edit] of [
  ["a page that is not the last without a context", 2, (page, data) => page === 2 && (data.context = "")],
  ["a page that gives the previous page's context again", 2, (page, data, contexts) => page === 2 && (data.context = contexts[0])],
  ["a page that gives an earlier page's context again", 3, (page, data, contexts) => page === 3 && (data.context = contexts[0])],
] as [string, number, (page: number, data: Data, contexts: string[]) => void][]) {
  test(`${name} is a BadAnswerError, before its entries`, async () => {
    const { names, error } = await listAll(rewritePages(edit));
    assert.ok(error instanceof BadAnswerError, `${names.length} names, then ${String(error)}`);
    assert.equal(names.length, 2 * (badPage - 1), "the entries of the pages before the bad one");
  });
}

test("a page without listover and without a context ends the listing", async () => {
  const { names, error } = await listAll(rewritePages((page, data) => {
    if (page === 2) {
      delete data.listover;
      data.context = "";
    }
  }));
  assert.equal(error, undefined);
  assert.equal(names.length, 4);
});
