/**
 * The few browser globals the session and request modules reach for, for tests under Node: storage
 * that forgets with the process, timers, no Web Locks. Imported before the modules under test.
 */

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const scope = globalThis as Record<string, unknown>;
scope.localStorage = new MemoryStorage();
scope.window = { addEventListener: () => undefined, setTimeout: () => 0, clearTimeout: () => undefined };
Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });
