/** A token from the local runtime's issuer (`POST /local/token`). */
export const localToken = async (url: string, sub: string, role: string): Promise<string> => {
  const answer = await fetch(`${url}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, role }),
  });
  return ((await answer.json()) as { token: string }).token;
};
