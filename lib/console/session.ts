/// <reference lib="dom" />
/**
 * Signing in and out: a token with the host or admin scope, kept in sessionStorage for this tab, decides
 * which panels show; the deal in the page's #deal= opens on sign-in.
 */
import { rolesOf, subjectOf } from './api.js';
import { closeDeal, openDeal } from './deal.js';
import { act, byId, show } from './page.js';
import { state } from './state.js';
import { stopTimeline } from './timeline.js';

const TOKEN_KEY = 'livedrop.console.token';

export const signIn = (token: string) => {
  const roles = rolesOf(token);
  if (!roles.includes('host') && !roles.includes('admin')) {
    throw new Error('This token carries neither the livedrop/host nor the livedrop/admin scope.');
  }
  state.token = token;
  state.roles = roles;
  sessionStorage.setItem(TOKEN_KEY, token);
  const who = byId('who');
  who.textContent = `${subjectOf(token) ?? 'signed in'} · ${roles.join(', ')}`;
  show(who, true);
  show(byId('sign-out'), true);
  show(byId('sign-in'), false);
  show(byId('deals'), true);
  show(byId('timeline-panel'), true);
  const admin = roles.includes('admin');
  show(byId('gala'), admin);
  show(byId('schedule-drop'), false);
  byId('timeline-note').textContent = admin
    ? 'Enter a gala to see its scheduled price drops.'
    : 'Gala price drops are listed for admins only (GET /galas/{galaId}/price-drops needs livedrop/admin): sign in as admin to see the timeline.';
  const dealId = new URLSearchParams(location.hash.slice(1)).get('deal');
  if (dealId) void act(() => openDeal(dealId));
};

export const signOut = () => {
  state.token = undefined;
  state.roles = [];
  sessionStorage.removeItem(TOKEN_KEY);
  closeDeal();
  stopTimeline();
  for (const id of ['who', 'sign-out', 'deals', 'timeline-panel', 'live']) show(byId(id), false);
  show(byId('sign-in'), true);
};

/** Signs in again with the token this tab kept, if it still qualifies (else forgets it). */
export const resumeSession = () => {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    try {
      signIn(saved);
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }
};
