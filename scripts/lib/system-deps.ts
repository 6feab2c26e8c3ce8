/**
 * System programs the scripts need (redis-server, later Chromium): found on PATH, installed with
 * apt when running as root, or a clear message saying exactly what to run.
 */
import { execFileSync, spawnSync } from "node:child_process";

export function which(program: string): string | null {
  const result = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

let aptUpdated = false;

/** Returns the program's path, installing `aptPackage` first if needed and possible. */
export function ensureProgram(program: string, aptPackage: string): string {
  const found = which(program);
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !which("apt-get")) {
    throw new Error(`${program} is not installed. Install it with:  sudo apt-get update && sudo apt-get install -y ${aptPackage}`);
  }
  console.log(`[newsroom] ${program} not found: installing ${aptPackage} with apt-get (running as root)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", aptPackage], { stdio: "inherit", env });
  const installed = which(program);
  if (!installed) throw new Error(`installed ${aptPackage} but ${program} is still not on PATH`);
  return installed;
}
