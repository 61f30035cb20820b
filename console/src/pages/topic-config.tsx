// A topic's config as a form: the fields creating a topic sets, and the dialog that changes them
// (PATCH /topics/:topic), with the partition count, which only grows.
import { useState } from 'preact/hooks';
import type { ApiError, TopicConfig, TopicDescription } from '../api.js';
import { ErrorNote, Field, Modal } from '../components/ui.js';
import { useApp } from '../context.js';

const MS = { s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof MS | 'forever';

/** The fields as typed, in the units the form shows. */
export interface ConfigDraft {
  retention: string;
  retentionUnit: Unit;
  maxRecordKiB: string;
  dedupMinutes: string;
}

export const defaultDraft: ConfigDraft = { retention: '7', retentionUnit: 'd', maxRecordKiB: '1024', dedupMinutes: '2' };

export function draftOf(config: TopicConfig): ConfigDraft {
  const retention = config.retention_ms;
  const unit = (['d', 'h', 'min', 's'] as const).find((u) => retention % MS[u] === 0) ?? 's';
  return {
    retention: retention < 0 ? '' : String(retention / MS[unit]),
    retentionUnit: retention < 0 ? 'forever' : unit,
    maxRecordKiB: String(config.max_record_bytes / 1024),
    dedupMinutes: String((config.dedup_window_ms ?? 120_000) / MS.min),
  };
}

export function configOf(draft: ConfigDraft): Required<Pick<TopicConfig, 'retention_ms' | 'max_record_bytes' | 'dedup_window_ms'>> {
  return {
    retention_ms: draft.retentionUnit === 'forever' ? -1 : Math.round(Number(draft.retention) * MS[draft.retentionUnit]),
    max_record_bytes: Math.round(Number(draft.maxRecordKiB) * 1024),
    dedup_window_ms: Math.round(Number(draft.dedupMinutes) * MS.min),
  };
}

export function ConfigFields({ draft, onChange }: { draft: ConfigDraft; onChange: (draft: ConfigDraft) => void }) {
  const set = (field: keyof ConfigDraft) => (event: { currentTarget: { value: string } }) => onChange({ ...draft, [field]: event.currentTarget.value });
  return (
    <>
      <div class="field-row">
        <Field label="Retention">
          <input name="retention" type="number" min={1} step="any" value={draft.retention} disabled={draft.retentionUnit === 'forever'} onInput={set('retention')} />
        </Field>
        <Field label="Unit">
          <select name="retention-unit" value={draft.retentionUnit} onChange={set('retentionUnit')}>
            <option value="s">seconds</option>
            <option value="min">minutes</option>
            <option value="h">hours</option>
            <option value="d">days</option>
            <option value="forever">forever</option>
          </select>
        </Field>
      </div>
      <div class="field-row">
        <Field label="Maximum record size (KiB)">
          <input name="max-record-kib" type="number" min={1} step="any" value={draft.maxRecordKiB} onInput={set('maxRecordKiB')} />
        </Field>
        <Field label="Dedup window (minutes)" hint="Record ids seen within it are not stored again; 0 turns it off.">
          <input name="dedup-minutes" type="number" min={0} step="any" value={draft.dedupMinutes} onInput={set('dedupMinutes')} />
        </Field>
      </div>
    </>
  );
}

export function AlterTopic({ topic, onClose, onAltered }: { topic: TopicDescription; onClose: () => void; onAltered: (warnings: string[]) => void }) {
  const { api } = useApp();
  const [draft, setDraft] = useState(() => draftOf(topic.config));
  const [partitions, setPartitions] = useState(String(topic.partition_count));
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const grows = Number(partitions) > topic.partition_count;

  const submit = async (event: Event) => {
    event.preventDefault();
    // Only what changed: an unchanged field is not sent, so the answer's warnings are about this change alone.
    const wanted = configOf(draft);
    const changes: Record<string, number> = {};
    for (const [name, value] of Object.entries(wanted)) if (value !== topic.config[name as keyof TopicConfig]) changes[name] = value;
    if (Number(partitions) !== topic.partition_count) changes['partitions'] = Number(partitions);
    if (Object.keys(changes).length === 0) return onClose();
    setBusy(true);
    try {
      const answer = await api.alterTopic(topic.name, changes);
      onAltered(answer.warnings ?? []);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Change ${topic.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="alter-topic" class="primary" disabled={busy}>
            Save changes
          </button>
        </>
      }
    >
      <form id="alter-topic" class="form" onSubmit={submit}>
        <ConfigFields draft={draft} onChange={setDraft} />
        <Field label="Partitions" hint={`Only more than the ${topic.partition_count} it has.`}>
          <input name="partitions" type="number" min={topic.partition_count} value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </Field>
        {grows && (
          <div class="note warn">
            More partitions move keys: a key's later records may land on another partition than its earlier ones, so its order holds only
            within each partition (as in Kafka).
          </div>
        )}
        <ErrorNote error={error} what="Not changed:" />
      </form>
    </Modal>
  );
}
