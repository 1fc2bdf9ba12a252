/**
 * The tensors of the opened file(s) as a searchable, sortable table (a checkpoint has hundreds:
 * a dropdown overflows the panel). Name, shape, dtype, size and file, as `lab tensors` lists them;
 * clicking a name opens that tensor in the lab. Unsupported dtypes are listed with the reason and
 * cannot be picked.
 */
import { useId, useMemo, useState } from 'react';
import type { TensorInfo } from '../../core/io';

type SortKey = 'name' | 'elements' | 'dtype' | 'bytes' | 'file';

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

const numel = (t: TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/** Natural order for names with layer numbers (layers.2 before layers.10). */
const collator = new Intl.Collator(undefined, { numeric: true });

export function TensorInventory({
  tensors,
  current,
  onPick,
}: {
  tensors: readonly TensorInfo[];
  current: string | undefined;
  onPick: (t: TensorInfo) => void;
}) {
  const searchId = useId();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    const kept = q ? tensors.filter((t) => t.name.toLowerCase().includes(q)) : [...tensors];
    const by: Record<SortKey, (a: TensorInfo, b: TensorInfo) => number> = {
      name: (a, b) => collator.compare(a.name, b.name),
      elements: (a, b) => numel(a) - numel(b),
      dtype: (a, b) => a.dtype.localeCompare(b.dtype),
      bytes: (a, b) => a.byteSize - b.byteSize,
      file: (a, b) => collator.compare(a.file, b.file),
    };
    return kept.sort((a, b) => sort.dir * by[sort.key](a, b) || collator.compare(a.name, b.name));
  }, [tensors, query, sort]);
  // The file column only says something for several files (a sharded checkpoint).
  const manyFiles = useMemo(() => new Set(tensors.map((t) => t.file)).size > 1, [tensors]);
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'} scope="col">
      <button
        type="button"
        className="sort-button"
        data-testid={`inventory-sort-${key}`}
        onClick={() => setSort((s) => ({ key, dir: s.key === key ? (-s.dir as 1 | -1) : 1 }))}
      >
        {label}
        {sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <div className="inventory" data-testid="tensor-inventory">
      <label className="param" htmlFor={searchId}>
        <span className="param-name">
          tensors ({rows.length === tensors.length ? tensors.length : `${rows.length} of ${tensors.length}`})
        </span>
        <input
          id={searchId}
          type="search"
          placeholder="filter by name…"
          value={query}
          data-testid="inventory-search"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <div className="inventory-scroll">
        <table className="inventory-table">
          <colgroup>
            <col />
            <col className="c-shape" />
            <col className="c-dtype" />
            <col className="c-size" />
            {manyFiles && <col className="c-file" />}
          </colgroup>
          <thead>
            <tr>
              {header('name', 'name')}
              {header('elements', 'shape')}
              {header('dtype', 'dtype')}
              {header('bytes', 'size')}
              {manyFiles && header('file', 'file')}
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr
                key={`${t.file}/${t.name}`}
                className={t.name === current ? 'current' : undefined}
                aria-current={t.name === current ? 'true' : undefined}
                data-testid="inventory-row"
              >
                <td className="inventory-name">
                  <button
                    type="button"
                    className="link-button"
                    disabled={!t.supported}
                    title={t.supported ? `open ${t.name}` : (t.note ?? 'unsupported')}
                    onClick={() => onPick(t)}
                  >
                    {t.name}
                  </button>
                </td>
                <td title={`[${t.shape.join(', ')}]`}>[{t.shape.join('×')}]</td>
                <td>{t.dtype}</td>
                <td className="num">{formatBytes(t.byteSize)}</td>
                {manyFiles && (
                  <td className="inventory-file" title={t.file}>
                    {t.file}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
