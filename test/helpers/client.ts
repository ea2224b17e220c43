import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RawRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  /** Sent as-is (string) or as JSON (anything else). */
  payload?: unknown;
  /** Skip the automatic CSRF header, to test the protection itself. */
  withoutCsrf?: boolean;
}

/**
 * An HTTP client over Fastify's inject with a cookie jar and automatic CSRF token, behaving like the
 * web app does in a browser.
 */
export class TestClient {
  private readonly cookies = new Map<string, string>();
  private readonly defaultHeaders = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly options: { userAgent?: string; ip?: string } = {},
  ) {}

  /** Another browser on the same server: no cookies, the same user agent and address. */
  another(): TestClient {
    return new TestClient(this.app, this.options);
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** A header sent with every request from now on (a client app's device secret, for example). */
  setHeader(name: string, value: string): void {
    this.defaultHeaders.set(name, value);
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request({ method: 'GET', url, headers });
  }

  post(url: string, payload?: unknown, headers?: Record<string, string>) {
    return this.request({ method: 'POST', url, payload, headers });
  }

  async request(request: RawRequest): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? 'gatehouse-tests',
      ...Object.fromEntries(this.defaultHeaders),
      ...request.headers,
    };
    if (request.method !== 'GET' && !request.withoutCsrf) {
      headers['x-csrf-token'] ??= await this.ensureCsrfToken();
    }
    let payload: string | undefined;
    if (request.payload !== undefined) {
      payload = typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload);
      headers['content-type'] ??= 'application/json';
    }
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await this.app.inject({
      method: request.method,
      url: request.url,
      headers,
      payload,
      remoteAddress: this.options.ip ?? '127.0.0.1',
    });
    for (const cookie of response.cookies) {
      const expired = cookie.maxAge === 0 || (cookie.expires instanceof Date && cookie.expires.getTime() <= Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  private async ensureCsrfToken(): Promise<string> {
    if (!this.csrfToken) {
      const response = await this.get('/api/v1/auth/csrf');
      this.csrfToken = (response.json() as { token: string }).token;
    }
    return this.csrfToken;
  }
}
