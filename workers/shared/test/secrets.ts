/** Test-only session secret, bound as JWT_SECRET in every Worker's test project. Free of Node imports so tests in workerd can use it. */
export const TEST_JWT_SECRET = "test-jwt-secret-not-for-production";
