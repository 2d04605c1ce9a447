// The official OpenAI SDK against a running Kimi server: one plain and one streamed chat completion.
//
//   node sdk-check.mjs http://127.0.0.1:41234
//
// Prints one JSON line on stdout with what the SDK got; exits 1 with the reason on stderr when anything
// fails (2 for a bad argument). Run by OpenAiSdkCompatibilityTest from kimi-api/target/node-sdk-check,
// where Maven ran `npm ci`.
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const base = process.argv[2];
if (!base || !/^https?:\/\/[^/]+/.test(base)) {
  console.error(`usage: node sdk-check.mjs <server base URL, e.g. http://127.0.0.1:8766> (got: ${base})`);
  process.exit(2);
}

const client = new OpenAI({
  baseURL: `${base.replace(/\/+$/, '')}/v1`,
  apiKey: 'test-key',
  maxRetries: 0,
  timeout: 20_000,
});
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello to the proxy.' },
];

async function main() {
  const completion = await client.chat.completions.create({ model: 'kimi-k2', messages });

  const stream = await client.chat.completions.create({ model: 'kimi-k2', messages, stream: true });
  let streamedContent = '';
  let chunks = 0;
  let chunkHadUsage = false;
  let finishReason = null;
  for await (const chunk of stream) {
    chunks++;
    // OpenAI reports usage on the chunk, Moonshot inside the last choice; null means "none".
    if (chunk.usage != null || (chunk.choices ?? []).some((c) => c.usage != null)) {
      chunkHadUsage = true;
    }
    for (const choice of chunk.choices ?? []) {
      streamedContent += choice.delta?.content ?? '';
      finishReason = choice.finish_reason ?? finishReason;
    }
  }

  return {
    sdk_version: VERSION,
    node_version: process.version,
    content: completion.choices?.[0]?.message?.content ?? null,
    finish_reason: completion.choices?.[0]?.finish_reason ?? null,
    usage: completion.usage ?? null,
    streamed_content: streamedContent,
    stream_finish_reason: finishReason,
    chunks,
    chunk_had_usage: chunkHadUsage,
  };
}

try {
  console.log(JSON.stringify(await main()));
} catch (e) {
  const status = e?.status ? ` (HTTP ${e.status})` : '';
  let cause = '';
  for (let c = e?.cause; c; c = c.cause) {
    cause += `; cause: ${c.code ? `${c.code} ` : ''}${c.message ?? c}`;
  }
  const kind = e?.constructor?.name ?? e?.name ?? 'Error';
  console.error(`sdk-check failed against ${base}: ${kind}${status}: ${e?.message ?? e}${cause}`);
  if (e?.error) {
    console.error(`error body: ${JSON.stringify(e.error)}`);
  }
  process.exitCode = 1;
}
