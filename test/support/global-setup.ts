/**
 * Says once, before any test runs, which real services this run will skip: the PostgreSQL
 * and Redis suites are skipped without TEST_DATABASE_URL / TEST_REDIS_URL (CI sets both).
 */
export default function announceSkippedServices(): void {
  const missing = [
    ['TEST_DATABASE_URL', 'PostgreSQL'],
    ['TEST_REDIS_URL', 'Redis'],
  ].filter(([variable]) => !process.env[variable as string]);
  if (missing.length === 0) return;
  const names = missing.map(([variable, service]) => `${service} (set ${variable})`).join(' and ');
  console.warn(`\nThese suites are skipped in this run: ${names}. See README "Development".\n`);
}
