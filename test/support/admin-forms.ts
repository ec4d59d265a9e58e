// The login and setup forms as a browser uses them: GET the page (it sets the form cookie and
// carries the token), then POST with both.
import request from 'supertest';
import type { Express } from 'express';

export interface FormToken {
  /** The form cookie, ready for a Cookie header. */
  cookie: string;
  csrf: string;
}

export async function formToken(app: Express, page: '/admin/login' | '/admin/setup' = '/admin/login'): Promise<FormToken> {
  const res = await request(app).get(page);
  const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.map((c) => c.split(';')[0]).find((c) => c!.startsWith('erpb_form='));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!cookie || !csrf) throw new Error(`${page} gave no form token (status ${res.status})`);
  return { cookie, csrf };
}

/** Logs in through the form; returns the session cookie (and the form cookie) and the session's CSRF token. */
export async function loginWithForm(app: Express, username: string, password: string): Promise<{ cookie: string; csrf: string; status: number }> {
  // A page without a form token (an older build, when proving a test fails there) is posted without one.
  const form = await formToken(app).catch(() => ({ cookie: '', csrf: '' }));
  const res = await request(app).post('/admin/login').set('Cookie', form.cookie).type('form').send({ _csrf: form.csrf, username, password });
  const session = (res.headers['set-cookie'] as unknown as string[] | undefined)?.map((c) => c.split(';')[0]).find((c) => c!.startsWith('erpb_session='));
  if (!session) return { cookie: '', csrf: '', status: res.status };
  const page = await request(app).get('/admin/settings').set('Cookie', session);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cookie: session, csrf, status: res.status };
}
