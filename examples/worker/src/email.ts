// PinMe's email skill ("PinMe Worker Email API Integration"): sendEmail and the route that uses it,
// as the skill writes them. Where this file departs from the skill it says so in a comment that
// starts with "Not in the skill:".

// Not in the skill: the skill's functions take the Worker's Env; this is the part of it they read.
export interface PinmeEnv {
  API_KEY: string;
  PROJECT_NAME: string;
  BASE_URL?: string;
}

export async function sendEmail(env: PinmeEnv, to: string, subject: string, html: string): Promise<{ ok: boolean; error?: string }> {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(`${baseUrl}/api/v4/send_email`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-API-Key': env.API_KEY,
    },
    body: JSON.stringify({ to, subject, html }),
  });

  const result = await resp.json() as { code: number; msg: string; data?: { ok?: boolean; error?: string } };

  if (resp.status !== 200 || result.code !== 200) {
    return { ok: false, error: result.data?.error || result.msg || 'Unknown error' };
  }
  return { ok: true };
}

// The skill's route; `json` is the Worker's helper, passed in (Not in the skill: the parameter).
export async function handleSendVerification(
  request: Request,
  env: PinmeEnv,
  json: (data: unknown, status?: number) => Response,
): Promise<Response> {
  const { email } = await request.json() as { email: string };
  const code = Math.random().toString().slice(2, 8);

  const result = await sendEmail(env, email, 'Verification Code',
    `<p>Your code is <strong>${code}</strong></p>`);

  if (!result.ok) {
    return json({ error: result.error }, 500);
  }
  return json({ ok: true });
}
