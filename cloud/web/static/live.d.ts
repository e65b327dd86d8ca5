// Types of live.js for the tests that import it (the dashboard itself is plain JavaScript).
export type LiveHandler = (type: string, data: unknown) => void;
export function parseEventId(id: unknown): { epoch: string; seq: number } | undefined;
export class LiveLog {
  epoch: string | undefined;
  from: number;
  last: number;
  connected: boolean;
  hello(h: { epoch: string; lastEventId: string; resumed: boolean }): boolean;
  disconnected(): void;
  lagged(): void;
  resumeId(): string | undefined;
  push(type: string, data: unknown, id: string | undefined): void;
  deliver(type: string, data: unknown): void;
  follow(handler: LiveHandler, ...snapshotIds: (string | undefined)[]): void;
  replay(handler: LiveHandler, ...snapshotIds: (string | undefined)[]): void;
  clearHandlers(): void;
}
