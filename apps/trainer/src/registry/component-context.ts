import type { Model, RandomSource, Tokenizer } from '@mlm/types';
import type { Task } from '../tasks/task.js';
import type { ComponentRegistry } from './component-registry.js';

/** What the trainer hands every component factory. Fields are filled as the run is assembled. */
export interface ComponentContext {
  registry: ComponentRegistry<ComponentContext>;
  /** A random stream of its own for this component (seeded from the run's seed and the component's role). */
  random: RandomSource;
  /** Derives another independent, seeded stream by name. */
  createRandom(name: string): RandomSource;
  /** The run's task (absent when a component is built for a bare checkpoint). */
  task?: Task;
  tokenizer?: Tokenizer;
  model?: Model;
  /** Collators: which role the collator plays. */
  role?: 'train' | 'prediction';
  log(line: string): void;
}
