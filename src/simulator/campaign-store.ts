import { randomBytes, randomUUID } from 'node:crypto';
import type { ValidCandidate } from './candidate-rules.js';

export type CampaignStatus = 'active' | 'paused' | 'completed';

export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['active', 'paused', 'completed'];

/** A candidate as the simulator keeps it; `phone` is in national form and is the key. */
export interface StoredCandidate extends ValidCandidate {
  candidateId: string;
  /** The simulator places no call: every candidate stays queued. */
  status: 'call_queued';
  createdAt: string;
}

export interface Campaign {
  id: string;
  jobTitle: string;
  contractType: string;
  jobDescription: string;
  status: CampaignStatus;
  createdAt: string;
  questions: string[];
  /** By national phone, in the order they were added. */
  candidates: Map<string, StoredCandidate>;
}

export interface CampaignFields {
  jobTitle: string;
  contractType: string;
  jobDescription: string;
}

const CAMPAIGN_ID = /^[0-9a-f]{12}$/;

// The API generates questions from the job description; fixed ones are enough for our calls.
const GENERATED_QUESTIONS = [
  'Pouvez-vous vous présenter en quelques mots ?',
  'Quelle expérience avez-vous pour ce poste ?',
  'Quand seriez-vous disponible ?',
  'Quelles sont vos prétentions salariales ?',
  'Pourquoi ce poste vous intéresse-t-il ?',
];

/** Campaign ids look like `abc123def456`: 12 lowercase hex characters. */
export function isCampaignId(id: string): boolean {
  return CAMPAIGN_ID.test(id);
}

export function isCampaignStatus(status: unknown): status is CampaignStatus {
  return (CAMPAIGN_STATUSES as readonly unknown[]).includes(status);
}

/** The campaigns of the simulated agency and their candidates, in memory. */
export class CampaignStore {
  private readonly campaigns = new Map<string, Campaign>();

  /** Creates the given campaigns, active, with placeholder fields. */
  constructor(ids: readonly string[]) {
    for (const id of ids) {
      this.insert(id, {
        jobTitle: 'Campagne simulée',
        contractType: 'CDI',
        jobDescription: 'Campagne créée au démarrage du simulateur.',
      });
    }
  }

  get(id: string): Campaign | undefined {
    return this.campaigns.get(id);
  }

  /** In creation order. */
  list(): Campaign[] {
    return [...this.campaigns.values()];
  }

  create(fields: CampaignFields): Campaign {
    let id = randomBytes(6).toString('hex');
    while (this.campaigns.has(id)) {
      id = randomBytes(6).toString('hex');
    }
    return this.insert(id, fields);
  }

  /** Throws when the campaign does not exist: the caller asked for a change that cannot happen. */
  setStatus(id: string, status: CampaignStatus): void {
    const campaign = this.campaigns.get(id);
    if (campaign === undefined) {
      throw new Error(`campaign ${id} does not exist`);
    }
    campaign.status = status;
  }

  /** Adds one candidate whose phone the campaign does not have yet. */
  addCandidate(campaign: Campaign, candidate: ValidCandidate): void {
    campaign.candidates.set(candidate.phone, {
      ...candidate,
      candidateId: randomUUID(),
      status: 'call_queued',
      createdAt: new Date().toISOString(),
    });
  }

  private insert(id: string, fields: CampaignFields): Campaign {
    const campaign: Campaign = {
      id,
      ...fields,
      status: 'active',
      createdAt: new Date().toISOString(),
      questions: [...GENERATED_QUESTIONS],
      candidates: new Map(),
    };
    this.campaigns.set(id, campaign);
    return campaign;
  }
}
