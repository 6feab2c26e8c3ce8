/** A CookieJar for store tests: holds values like a browser and remembers each Set-Cookie's size. */
import { setCookieBytes } from "@/lib/session/cookies";
import type { CookieJar, CookieOptions } from "@/lib/session/store";

export class TestJar implements CookieJar {
  readonly values = new Map<string, string>();
  readonly setCookieBytes = new Map<string, number>();
  writes = 0;

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  set(name: string, value: string, options: CookieOptions): void {
    this.values.set(name, value);
    this.setCookieBytes.set(name, setCookieBytes(name, value, options));
    this.writes++;
  }

  delete(name: string): void {
    this.values.delete(name);
    this.writes++;
  }

  /** A second "browser" holding copies of these cookies. */
  copy(): TestJar {
    const jar = new TestJar();
    this.values.forEach((value, name) => jar.values.set(name, value));
    return jar;
  }
}
