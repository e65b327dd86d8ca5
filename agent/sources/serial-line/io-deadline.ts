/**
 * A deadline for an I/O step (opening a port, dialling a socket) that is judged after pending I/O. When the event
 * loop was stalled past the deadline (a loaded gateway), Node runs the due timer before the I/O callbacks that
 * became ready meanwhile — a connection that completed during the stall would be reported as timed out. `expire`
 * therefore runs in the check phase (setImmediate), after those callbacks: a step that finished first has settled.
 * Shared by every line and link (Modbus client, DL/T 645 bus link).
 */
export function ioDeadline(ms: number, expire: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(expire);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  };
}
