/** What the page knows: its config, who is signed in, the open deal and its samples, the gala's drops. */
import { ApiClient, type DealView, type PriceDropView } from './api.js';

export interface ConsoleConfig {
  /** '' = the API is this page's own origin (the local runtime). */
  apiUrl: string;
  /** The local runtime's issuer is there: sign in by name, and virtual viewers can get tokens. */
  localIssuer: boolean;
}

export const state: {
  config: ConsoleConfig;
  token?: string;
  roles: string[];
  deal?: DealView;
  /** Bumped whenever the deal or sign-in changes, so a late poll answer for the old one is dropped. */
  generation: number;
  pollTimer?: ReturnType<typeof setTimeout>;
  lastSample?: { at: number; claimed: number };
  rates: number[];
  peak: number;
  lastPollError?: string;
  drops: PriceDropView[];
  galaId?: string;
  timelineTimer?: ReturnType<typeof setInterval>;
  simulating: boolean;
} = {
  config: { apiUrl: '', localIssuer: false },
  roles: [],
  generation: 0,
  rates: [],
  peak: 0,
  drops: [],
  simulating: false,
};

let client = new ApiClient('', () => state.token);

/** The API client, with the signed-in token. */
export const api = (): ApiClient => client;

/** Points the API client at `apiUrl` (from the page's config). */
export const useApi = (apiUrl: string) => {
  client = new ApiClient(apiUrl, () => state.token);
};
