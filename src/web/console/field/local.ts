import type { EvidenceKind, UnitDecisionInput } from './model.js';
import { photoBytes, readEvents, type DecisionPayload, type PhotoPayload } from './store.js';

/*
 * What this device recorded for a case, read back from the event log for the screens: the last decision per unit and
 * the photos, each with whether the server has confirmed it.
 */
export interface LocalDecision {
  eventId: string;
  unit: UnitDecisionInput;
  assessedOn: string;
  centreId: string | null;
  country: string | null;
  synced: boolean;
  status: string | null;
}
export interface LocalPhoto {
  eventId: string;
  kind: EvidenceKind;
  title: string;
  blob: Blob;
  synced: boolean;
  evidenceId: string | undefined;
}

const confirmed = (status: string | undefined) => status === 'applied' || status === 'duplicate';

/** The latest decision this device recorded for each unit of the case (later events supersede earlier ones). */
export async function localDecisions(caseId: string): Promise<Map<string, LocalDecision>> {
  const m = new Map<string, LocalDecision>();
  for (const e of await readEvents({ caseId })) {
    if (e.event.kind !== 'unit_decision') continue;
    const p = e.payload as DecisionPayload;
    m.set(p.unit.unitId, { eventId: e.event.id, unit: p.unit, assessedOn: p.assessedOn, centreId: p.centreId, country: p.country, synced: confirmed(e.ack?.status), status: e.ack?.status ?? null });
  }
  return m;
}

/**
 * The case's decision recorded on this device and still standing: waiting to sync, applied, or on the conflict
 * list; undefined when there is none, or a person discarded it (or the server refused it) so it may be made again.
 */
export async function localCaseDecision(caseId: string): Promise<{ eventId: string; synced: boolean; status: string | null } | undefined> {
  const standing = (await readEvents({ caseId })).filter((e) => e.event.kind === 'case_decision' && !['discarded', 'refused'].includes(e.ack?.status ?? '')).pop();
  return standing && { eventId: standing.event.id, synced: confirmed(standing.ack?.status), status: standing.ack?.status ?? null };
}

export async function localPhotos(caseId: string): Promise<LocalPhoto[]> {
  const out: LocalPhoto[] = [];
  for (const e of await readEvents({ caseId })) {
    if (e.event.kind !== 'photo') continue;
    const p = e.payload as PhotoPayload;
    const bytes = await photoBytes(e.event.id);
    if (!bytes) continue;
    out.push({ eventId: e.event.id, kind: p.kind as EvidenceKind, title: p.title, blob: new Blob([bytes], { type: p.type }), synced: confirmed(e.ack?.status), evidenceId: e.ack?.evidenceId });
  }
  return out;
}
