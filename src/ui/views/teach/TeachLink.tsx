/** The lab's entry point to the teaching widgets: opens the lessons for the current config's link. */
import { permalinkHash } from '../../../core/config/codec';
import type { ExperimentConfig } from '../../../core/config/schema';
import { teachUrl } from './params';
import './teach-link.css';

export function TeachLink({ config }: { config: ExperimentConfig }) {
  const href = teachUrl(window.location.href, 'step', {}, permalinkHash(config));
  return (
    <a
      className="teach-link"
      href={href}
      target="_blank"
      rel="noopener"
      data-testid="teach-link"
      title="Teaching widgets for this experiment: step-through, block inspector, codebook lab, lessons"
    >
      Teach
    </a>
  );
}
