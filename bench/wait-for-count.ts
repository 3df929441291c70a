// Waits until a counter reaches its target, polling. It gives up in two ways, reported separately:
// - 'stalled': nothing at all moved (`activity`, e.g. every request the receiver got) for `stallMs`: the missing
//   work is taken as lost;
// - 'deadline': still moving after `deadlineMs`: the service is slow, the missing work is unfinished, not lost.
export type WaitEnd = 'complete' | 'stalled' | 'deadline';

export async function waitForCount(options: {
  read: () => Promise<{ done: number; activity: number }>; target: number; stallMs: number; deadlineMs: number; pollMs?: number;
}): Promise<{ end: WaitEnd; done: number }> {
  const started = Date.now();
  let state = await options.read();
  let lastChange = Date.now();
  while (state.done < options.target) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
    const next = await options.read();
    if (next.activity !== state.activity || next.done !== state.done) lastChange = Date.now();
    state = next;
    if (Date.now() - lastChange > options.stallMs) return { end: 'stalled', done: state.done };
    if (Date.now() - started > options.deadlineMs) return { end: 'deadline', done: state.done };
  }
  return { end: 'complete', done: state.done };
}
