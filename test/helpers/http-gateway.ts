import type { AddressInfo } from 'node:net';
import { GATEWAY } from '../../src/modules';
import type { Role } from '../../src/security/roles';
import { signToken } from '../../src/security/tokens';
import { createGateway, type Gateway } from '../../src/server/app';
import type { TestApp } from './test-app';

export const TEST_AUTH = {
  jwtSecret: 'http-gateway-test-secret-of-at-least-32-chars',
  jwksUrl: undefined,
  issuer: 'weiquan',
  audience: 'weiquan-gateway',
};

type GatewayConfig = Parameters<typeof createGateway>[1];

/** A whole gateway (Express, the bare GraphQL path, WebSocket) on a free local port, on the test app's database. */
export async function listeningGateway(
  app: TestApp,
  config: Omit<GatewayConfig, 'gateway' | 'auth'>,
): Promise<{ gateway: Gateway; url: string; token(role: Role, subject?: string): Promise<string> }> {
  const gateway = await createGateway(app.orm, { gateway: GATEWAY, ...config, auth: TEST_AUTH });
  await new Promise<void>((resolve) => gateway.httpServer.listen(0, '127.0.0.1', resolve));
  return {
    gateway,
    url: `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}/graphql`,
    token: (role, subject = 'test') => signToken(TEST_AUTH, { subject, role }),
  };
}
