import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { orderByRisk, RISK_TIERS, riskRank } from '../../src/review/risk-order.js';

describe('riskRank', () => {
  it.each([
    // 0: request handlers and routes
    ['src/routes/orders.ts', 0],
    ['routes.rb', 0],
    ['config/routes.rb', 0],
    ['src/orders/orders.router.ts', 0],
    ['internal/handlers/payment.go', 0],
    ['pkg/api/user_handler.go', 0],
    ['src/users/users.controller.ts', 0],
    ['app/Controllers/UserController.cs', 0],
    ['src/api/v1/orders.ts', 0],
    ['services/billing/endpoints.py', 0],
    ['src/middleware/rate-limit.ts', 0],
    ['src/server.ts', 0],
    ['src/app.ts', 0],
    ['cmd/api/main.go', 0],
    ['shop/views.py', 0],
    ['src/graphql/resolvers/order.ts', 0],
    ['proto/orders.proto', 0],
    ['schema.graphql', 0],
    ['internal/grpc/orders.go', 0],
    ['src/ws/chat.ts', 0],
    ['src/events/events.gateway.ts', 0],
    ['docs/openapi.yaml', 0],
    // A route file in a database folder is still a route: first matching tier wins.
    ['src/api/db/queries.ts', 0],
    // 1: auth
    ['src/auth/login.ts', 1],
    ['src/session/store.ts', 1],
    ['src/lib/jwt.ts', 1],
    ['src/oauth/github.ts', 1],
    ['src/users/permissions.ts', 1],
    ['src/rbac/roles.ts', 1],
    ['src/security/acl.ts', 1],
    ['src/security/user-acl.ts', 1],
    ['src/util/crypto.ts', 1],
    ['src/users/password-reset.ts', 1],
    ['src/tokens/refresh.ts', 1],
    ['src/Auth/TokenService.java', 1],
    // 2: database access and migrations
    ['src/db/pool.ts', 2],
    ['app/models/order.rb', 2],
    ['src/orders/order.entity.ts', 2],
    ['src/repositories/order-repository.ts', 2],
    ['internal/store/order_repo.go', 2],
    ['src/main/java/com/shop/OrderDao.java', 2],
    ['db/migrations/20260101_add_orders.sql', 2],
    ['migrations/0003_orders.py', 2],
    ['prisma/schema.prisma', 2],
    ['sql/reports.sql', 2],
    ['src/orm/base.ts', 2],
    ['knexfile.js', 2],
    // 3: config and infrastructure
    ['config/production.json', 3],
    ['src/config.ts', 3],
    ['app.yml', 3],
    ['docker-compose.yml', 3],
    ['Dockerfile', 3],
    ['services/billing/Dockerfile.prod', 3],
    ['k8s/deployment.yaml', 3],
    ['deploy/helm/values.yaml', 3],
    ['infra/main.tf', 3],
    ['.github/workflows/ci.yml', 3],
    ['.env.example', 3],
    ['pyproject.toml', 3],
    ['package.json', 3],
    ['go.mod', 3],
    ['Makefile', 3],
    // 4: the rest
    ['src/orders/pricing.ts', 4],
    ['README.md', 4],
    ['lib/oracle.ts', 4],
    ['src/platform/format.ts', 4],
    ['src/report.ts', 4],
    // 5: tests, whatever they test
    ['test/unit/orders.test.ts', 5],
    ['src/routes/orders.test.ts', 5],
    ['src/auth/login.spec.ts', 5],
    ['pkg/api/handler_test.go', 5],
    ['tests/test_views.py', 5],
    ['app/tests.py', 5],
    ['spec/models/order_spec.rb', 5],
    ['src/__tests__/db.ts', 5],
    ['test/fixtures/routes.json', 5],
    ['src/db/__mocks__/pool.ts', 5],
    ['internal/orders/testdata/migration.sql', 5],
    ['Shop.Api.Tests/OrdersControllerTests.cs', 5],
    ['e2e/checkout.ts', 5],
    ['conftest.py', 5],
  ])('%s → tier %i', (path, tier) => {
    expect(riskRank(path).tier).toBe(tier);
  });

  it('labels each tier', () => {
    expect(riskRank('src/routes/a.ts')).toEqual({ tier: 0, label: 'request handlers and routes' });
    expect(riskRank('src/auth/a.ts')).toEqual({ tier: 1, label: 'auth' });
    expect(riskRank('src/db/a.ts')).toEqual({ tier: 2, label: 'database access and migrations' });
    expect(riskRank('config/a.yml')).toEqual({ tier: 3, label: 'config and infrastructure' });
    expect(riskRank('src/a.ts')).toEqual({ tier: 4, label: 'other' });
    expect(riskRank('test/a.ts')).toEqual({ tier: 5, label: 'tests' });
  });

  it('checks tests first, then tiers 0 to 3 in order', () => {
    expect(RISK_TIERS.map((entry) => entry.tier)).toEqual([5, 0, 1, 2, 3]);
  });

  it('holds only globs picomatch compiles', () => {
    for (const entry of RISK_TIERS) {
      expect(entry.patterns.length).toBeGreaterThan(0);
      for (const pattern of entry.patterns) expect(() => picomatch.makeRe(pattern)).not.toThrow();
    }
  });
});

describe('orderByRisk', () => {
  const f = (path: string, additions: number, deletions = 0) => ({ path, additions, deletions });

  it('orders by tier, then bigger change first, then path', () => {
    const files = [
      f('test/orders.test.ts', 500),
      f('src/pricing.ts', 3),
      f('src/db/b.ts', 10),
      f('src/db/a.ts', 10),
      f('src/db/c.ts', 5, 20),
      f('config/app.yml', 1),
      f('src/auth/login.ts', 1),
      f('src/routes/orders.ts', 2),
    ];
    expect(orderByRisk(files).map((file) => file.path)).toEqual([
      'src/routes/orders.ts',
      'src/auth/login.ts',
      'src/db/c.ts',
      'src/db/a.ts',
      'src/db/b.ts',
      'config/app.yml',
      'src/pricing.ts',
      'test/orders.test.ts',
    ]);
  });

  it('sorts paths by code unit, whatever the locale', () => {
    const files = [f('src/b.ts', 1), f('src/B.ts', 1), f('src/a.ts', 1), f('src/Ä.ts', 1)];
    expect(orderByRisk(files).map((file) => file.path)).toEqual(['src/B.ts', 'src/a.ts', 'src/b.ts', 'src/Ä.ts']);
  });

  it('returns a new array and keeps the objects', () => {
    const files = [f('test/a.test.ts', 1), f('src/routes/a.ts', 1)];
    const ordered = orderByRisk(files);
    expect(ordered).not.toBe(files);
    expect(files.map((file) => file.path)).toEqual(['test/a.test.ts', 'src/routes/a.ts']);
    expect(ordered[0]).toBe(files[1]);
  });

  it('gives the same order for any input order', () => {
    const files = Array.from({ length: 40 }, (_, i) => f(['src/routes/', 'src/auth/', 'src/', 'test/'][i % 4]! + `f${i}.ts`, i % 5));
    const reversed = [...files].reverse();
    expect(orderByRisk(reversed)).toEqual(orderByRisk(files));
  });
});
