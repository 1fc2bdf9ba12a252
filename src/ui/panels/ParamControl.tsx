/**
 * One control generated from a ParamSpec (the same schema drives validation and the URL). Number
 * fields keep the user's text while typing and commit only valid values, so a half-typed number
 * never reaches the config.
 */
import { useEffect, useId, useState } from 'react';
import type { ParamSpec, ParamValue } from '../../core/methods/types';
import { specSummary } from '../../core/config/schema';
import { InfoButton } from './InfoButton';

/** The allowed values in words, for every kind of param. */
function allowedInWords(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return spec.powerOfTwo ? `a power of two from ${spec.min} to ${spec.max}` : rangeInWords(spec);
    case 'number':
      return rangeInWords(spec);
    case 'enum':
      return `one of ${spec.options.join(', ')}`;
    case 'bool':
      return 'on or off';
    case 'string':
      return `text of at most ${spec.maxLength} characters`;
  }
}

/** The (i) beside a generated control: what the param means, its allowed values and default. */
function ParamInfo({ name, spec, testId }: { name: string; spec: ParamSpec; testId?: string }) {
  return (
    <InfoButton title={name} testId={testId ? `${testId}-info` : undefined}>
      {spec.doc} Allowed: {allowedInWords(spec)}; default {String(spec.default)}.
    </InfoButton>
  );
}

export interface ParamControlProps {
  readonly name: string;
  readonly spec: ParamSpec;
  readonly value: ParamValue;
  readonly onChange: (value: ParamValue) => void;
  readonly testId?: string;
  /** Show the param's doc and allowed values behind an (i) button (readable on touch). */
  readonly info?: boolean;
}

/** A bound as people write it: thousands separated ("4,096"), a leading minus sign ("−1"). */
function boundInWords(v: number): string {
  const text =
    Math.abs(v) >= 1000 && Number.isInteger(v) ? Math.abs(v).toLocaleString('en-US') : String(Math.abs(v));
  return v < 0 ? `−${text}` : text;
}

/**
 * "a whole number from 1 to 8" / "a number from 0 to 1": the allowed values, in words (shown under
 * a field holding a value out of range, so the red outline is never the only hint).
 */
export function rangeInWords(spec: Extract<ParamSpec, { kind: 'int' | 'number' }>): string {
  return `${spec.kind === 'int' ? 'a whole number' : 'a number'} from ${boundInWords(spec.min)} to ${boundInWords(spec.max)}`;
}

function NumberField({
  name,
  spec,
  value,
  onChange,
  testId,
}: ParamControlProps & { spec: Extract<ParamSpec, { kind: 'int' | 'number' }> }) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(parsed) &&
    parsed >= spec.min &&
    parsed <= spec.max &&
    (spec.kind === 'number' || Number.isInteger(parsed));
  return (
    <label className="param" htmlFor={id} title={`${spec.doc} (${specSummary(spec)})`}>
      <span className="param-name">{name}</span>
      <input
        id={id}
        data-testid={testId}
        type="number"
        inputMode={spec.kind === 'int' ? 'numeric' : 'decimal'}
        min={spec.min}
        max={spec.max}
        step={spec.step ?? (spec.kind === 'int' ? 1 : 'any')}
        value={text}
        aria-invalid={!valid}
        aria-label={`${name}: ${spec.doc}`}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (
            e.target.value.trim() !== '' &&
            Number.isFinite(v) &&
            v >= spec.min &&
            v <= spec.max &&
            (spec.kind === 'number' || Number.isInteger(v))
          ) {
            onChange(v);
          }
        }}
        onBlur={() => setText(String(value))}
      />
      {!valid && (
        <span className="param-error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {rangeInWords(spec)}
        </span>
      )}
    </label>
  );
}

export function ParamControl(props: ParamControlProps) {
  if (!props.info) return <ParamField {...props} />;
  return (
    <span className="param-with-info">
      <ParamField {...props} />
      <ParamInfo name={props.name} spec={props.spec} testId={props.testId} />
    </span>
  );
}

function ParamField(props: ParamControlProps) {
  const { name, spec, value, onChange, testId } = props;
  const id = useId();
  switch (spec.kind) {
    case 'int':
      if (spec.powerOfTwo) {
        const options: number[] = [];
        for (let v = 1; v <= spec.max; v *= 2) if (v >= spec.min) options.push(v);
        return (
          <label className="param" htmlFor={id} title={spec.doc}>
            <span className="param-name">{name}</span>
            <select
              id={id}
              data-testid={testId}
              value={String(value)}
              aria-label={`${name}: ${spec.doc}`}
              onChange={(e) => onChange(Number(e.target.value))}
            >
              {options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        );
      }
      return <NumberField {...props} spec={spec} />;
    case 'number':
      return <NumberField {...props} spec={spec} />;
    case 'enum':
      return (
        <label className="param" htmlFor={id} title={spec.doc}>
          <span className="param-name">{name}</span>
          <select
            id={id}
            data-testid={testId}
            value={String(value)}
            aria-label={`${name}: ${spec.doc}`}
            onChange={(e) => onChange(e.target.value)}
          >
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
      );
    case 'bool':
      return (
        <label className="param param-bool" htmlFor={id} title={spec.doc}>
          <input
            id={id}
            data-testid={testId}
            type="checkbox"
            checked={Boolean(value)}
            aria-label={`${name}: ${spec.doc}`}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span className="param-name">{name}</span>
        </label>
      );
    case 'string':
      return (
        <label className="param" htmlFor={id} title={spec.doc}>
          <span className="param-name">{name}</span>
          <input
            id={id}
            data-testid={testId}
            type="text"
            maxLength={spec.maxLength}
            value={String(value)}
            aria-label={`${name}: ${spec.doc}`}
            onChange={(e) => onChange(e.target.value)}
          />
        </label>
      );
  }
}
