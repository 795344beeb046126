/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The host console: one page, no framework. It signs in (a local token or a pasted one), creates and cues
 * deals, polls the deal's figures once a second for the gauge and the claims/s chart, shows a gala's
 * price-drop timeline with countdowns, and locally can fire virtual viewers at a deal.
 */
import { createDeal, cue, openDeal, simulate, tickDeal, whenUnauthorized } from './deal.js';
import { act, byId, field, show } from './page.js';
import { resumeSession, signIn, signOut } from './session.js';
import { api, type ConsoleConfig, state, useApi } from './state.js';
import { loadTimeline, scheduleDrop } from './timeline.js';

const onSubmit = (id: string, handler: (form: HTMLFormElement) => Promise<void>) => {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() => handler(form));
  });
};

const loadConfig = async (): Promise<ConsoleConfig> => {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    const config = (await response.json()) as Partial<ConsoleConfig>;
    return {
      apiUrl: (config.apiUrl ?? '').replace(/\/+$/, ''),
      localIssuer: config.localIssuer === true,
    };
  } catch {
    // Without a config the page assumes the API is where the page is.
    return { apiUrl: '', localIssuer: false };
  }
};

const start = async () => {
  state.config = await loadConfig();
  useApi(state.config.apiUrl);
  whenUnauthorized(signOut);
  show(byId('local-sign-in'), state.config.localIssuer);

  onSubmit('local-sign-in', async (form) => {
    const { token } = await api().request<{ token: string }>('POST', '/local/token', {
      body: { sub: field(form, 'sub'), role: field(form, 'role') },
      token: '',
    });
    signIn(token);
  });
  onSubmit('token-sign-in', async (form) => signIn(field(form, 'token').replace(/^Bearer\s+/i, '')));
  onSubmit('create-deal', createDeal);
  onSubmit('open-deal', (form) => openDeal(field(form, 'dealId').toUpperCase()));
  onSubmit('simulate', simulate);
  onSubmit('gala', (form) => loadTimeline(field(form, 'galaId')));
  onSubmit('schedule-drop', scheduleDrop);
  byId('sign-out').addEventListener('click', signOut);
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-cue]')) {
    button.addEventListener('click', () => void act(() => cue(button.dataset.cue ?? '')));
  }
  setInterval(tickDeal, 1_000);

  resumeSession();
  document.body.dataset.ready = 'true';
};

void start();
