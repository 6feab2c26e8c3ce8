/**
 * What every chaos run does with its virtual readers: read back to back until the run ends (a
 * failed request waits 200 ms, as a reader pressing "Try again" would), then ask each reader's
 * session what it holds and compare with what the reader received.
 */
import type { VirtualReader } from "./bench/driver";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Feed requests until `until`; each non-200 answer (0 for a network error) goes to `onFailure`. Resolves with the requests sent. */
export async function readUntil(reader: VirtualReader, until: number, onFailure: (status: number, code: string) => void): Promise<number> {
  let requests = 0;
  while (Date.now() < until) {
    requests++;
    let result: { status: number; code?: string };
    try {
      result = await reader.feed();
    } catch (error) {
      result = { status: 0, code: (error as NodeJS.ErrnoException).code ?? "NETWORK" };
    }
    if (result.status !== 200) {
      onFailure(result.status, result.code ?? "?");
      await pause(200); // a reader pressing "Try again", not a hot loop
    }
  }
  return requests;
}

/** One reader at the end of a run. */
export interface ReaderTally {
  /** Articles received. */
  articles: number;
  /** Articles received more than once. */
  repeats: number;
  /** Received, but not counted as seen by the reader's final session. */
  lost: number;
  /** Recorded as seen, never received: answers lost on the way (at-most-once delivery). */
  atMostOnce: number;
}

/** Reads the reader's session (retrying while the stores settle: up to `attempts` × 500 ms), tallies it, closes the reader. */
export async function tallyReader(reader: VirtualReader, attempts = 10): Promise<ReaderTally> {
  let session = await reader.jar.session();
  for (let attempt = 0; session.status !== 200 && attempt < attempts; attempt++) {
    await pause(500);
    session = await reader.jar.session();
  }
  if (session.status !== 200) throw new Error(`could not read a reader's session at the end: ${session.status}`);
  const ranges = session.body.seenRanges;
  const seen = (seq: number) => ranges.some(([from, to]) => seq >= from && seq <= to);
  const lost = [...reader.receivedSeqs].filter((seq) => !seen(seq)).length;
  const recorded = ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
  const tally = { articles: reader.receivedSeqs.size, repeats: reader.repeats, lost, atMostOnce: recorded - (reader.receivedSeqs.size - lost) };
  await reader.close();
  return tally;
}
