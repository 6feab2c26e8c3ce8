/**
 * System programs the scripts need (redis-server, PostgreSQL, Chromium): found on PATH, installed with
 * apt when running as root, or a clear message saying exactly what to run.
 */
import { execFileSync, spawnSync } from "node:child_process";

export function which(program: string): string | null {
  const result = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

let aptUpdated = false;

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Whether this process may install Debian packages itself (root, with apt-get on PATH). */
export function canAptInstall(): boolean {
  return isRoot() && which("apt-get") !== null;
}

/** apt-get install (after one apt-get update per process); only when canAptInstall(). */
export function aptInstall(aptPackage: string, why: string): void {
  console.log(`[newsroom] ${why}: installing ${aptPackage} with apt-get (running as root)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", aptPackage], { stdio: "inherit", env });
}

/** Returns the program's path, installing `aptPackage` first if needed and possible. */
export function ensureProgram(program: string, aptPackage: string): string {
  const found = which(program);
  if (found) return found;
  if (!canAptInstall()) {
    throw new Error(`${program} is not installed. Install it with:  sudo apt-get update && sudo apt-get install -y ${aptPackage}`);
  }
  aptInstall(aptPackage, `${program} not found`);
  const installed = which(program);
  if (!installed) throw new Error(`installed ${aptPackage} but ${program} is still not on PATH`);
  return installed;
}
