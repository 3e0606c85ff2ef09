/**
 * Whether tests run under CI (`CI` set to anything but "", "0" or "false", as CI services and
 * `.ci/run` set it). Under CI a test that cannot reach what it needs (the npm registry, a browser)
 * fails instead of skipping: a green CI run means every test ran.
 */
export function runningUnderCi(environment: NodeJS.ProcessEnv = process.env): boolean {
  const value = environment.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** What a test does when a prerequisite is missing: run it (present), skip it (locally), fail (CI). */
export function prerequisiteOutcome(available: boolean, environment: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (available) return 'run';
  return runningUnderCi(environment) ? 'fail' : 'skip';
}
