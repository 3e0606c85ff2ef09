import type { RandomSource } from '@mlm/types';
import { randomInteger, sampleWithoutReplacement, shuffleInPlace } from './random-draws.js';

/** One star-graph path-finding problem (xlm-core `Graph`, camelCase). */
export interface StarGraph {
  /** Directed edges `[from, to]`, shuffled. */
  edgeList: [number, number][];
  source: number;
  goal: number;
  /** Node sequence from `source` to `goal`. */
  path: number[];
}

/** Options of xlm-core's `simple_star_graph` (the `star-easy` data). */
export interface SimpleStarGraphOptions {
  /** Number of arms leaving the centre. */
  degree: number;
  /** Nodes per arm, the centre included (the path length in nodes). */
  pathLength: number;
  /** Node ids are drawn from `[0, vocabSize)`. */
  vocabSize: number;
}

/** Options of xlm-core's `asymmetric_variable_armlength_star_graph` (`star-medium`, `star-hard`). */
export interface AsymmetricStarGraphOptions {
  degree: number;
  /** Fewest nodes in an arm. */
  minPathLength: number;
  /** Most nodes in an arm. */
  maxPathLength: number;
  /** Fewest nodes of an arm after the centre (the part a model must plan). */
  minPlanLength: number;
  vocabSize: number;
}

export type StarDifficulty = 'easy' | 'medium' | 'hard';

export type StarGraphOptions =
  | ({ kind: 'simple' } & SimpleStarGraphOptions)
  | ({ kind: 'asymmetric' } & AsymmetricStarGraphOptions);

/** The generators behind the reference's `dhruveshpatel/star-{small,medium,hard}` data sets (xlm-core's src/xlm/commands/generate_star_graphs.py). */
export const STAR_GRAPH_SETTINGS: Readonly<Record<StarDifficulty, StarGraphOptions>> = {
  easy: { kind: 'simple', degree: 3, pathLength: 5, vocabSize: 20 },
  medium: { kind: 'asymmetric', degree: 3, minPathLength: 3, maxPathLength: 6, minPlanLength: 2, vocabSize: 20 },
  hard: { kind: 'asymmetric', degree: 5, minPathLength: 6, maxPathLength: 12, minPlanLength: 5, vocabSize: 56 },
};

function requirePositiveInteger(what: string, name: string, value: number, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${what}: ${name} = ${value}, expected an integer ≥ ${minimum}`);
  }
}

/**
 * xlm-core's `simple_star_graph`: the source is the centre; `degree` arms of `pathLength` nodes
 * (centre included) leave it; the goal is the end of one arm; every node id is distinct.
 * Same draws as the reference (rejection sampling of node ids, edges shuffled at the end), from
 * the injected random source.
 */
export function generateSimpleStarGraph(random: RandomSource, options: SimpleStarGraphOptions): StarGraph {
  const { degree, pathLength, vocabSize } = options;
  const what = 'generateSimpleStarGraph';
  requirePositiveInteger(what, 'degree', degree);
  requirePositiveInteger(what, 'pathLength', pathLength, 2);
  requirePositiveInteger(what, 'vocabSize', vocabSize);
  if (vocabSize < pathLength * degree + 1) {
    throw new Error(
      `${what}: vocabSize = ${vocabSize}, expected ≥ pathLength · degree + 1 = ${pathLength * degree + 1} (every node id is distinct)`,
    );
  }
  const source = randomInteger(random, 0, vocabSize);
  let goal = randomInteger(random, 0, vocabSize);
  while (goal === source) goal = randomInteger(random, 0, vocabSize);

  const path = [source];
  for (let i = 0; i < pathLength - 2; i++) {
    let node = randomInteger(random, 0, vocabSize);
    while (path.includes(node) || node === goal) node = randomInteger(random, 0, vocabSize);
    path.push(node);
  }
  path.push(goal);
  const edgeList: [number, number][] = [];
  for (let i = 0; i + 1 < path.length; i++) edgeList.push([path[i] as number, path[i + 1] as number]);

  // The other arms: nodes unused by the path and by earlier arms (shared set, as in the reference).
  const armNodes = new Set<number>();
  for (let arm = 0; arm < degree - 1; arm++) {
    let node = source;
    let next = randomInteger(random, 0, vocabSize);
    let length = 1;
    while (length < pathLength) {
      if (!armNodes.has(next) && !path.includes(next)) {
        edgeList.push([node, next]);
        armNodes.add(next);
        node = next;
        length += 1;
      }
      next = randomInteger(random, 0, vocabSize);
    }
  }
  shuffleInPlace(edgeList, random);
  return { edgeList, source, goal, path };
}

/**
 * xlm-core's `asymmetric_variable_armlength_star_graph`: `degree` arms of `minPathLength..maxPathLength`
 * nodes that share one centre node; arm `i` passes through the centre at a random index `join[i]`
 * (with at least `minPlanLength` nodes after it); edges point along each arm; the path is arm 0.
 */
export function generateAsymmetricStarGraph(random: RandomSource, options: AsymmetricStarGraphOptions): StarGraph {
  const { degree, minPathLength, maxPathLength, minPlanLength, vocabSize } = options;
  const what = 'generateAsymmetricStarGraph';
  requirePositiveInteger(what, 'degree', degree);
  requirePositiveInteger(what, 'minPathLength', minPathLength, 2);
  requirePositiveInteger(what, 'maxPathLength', maxPathLength, minPathLength);
  requirePositiveInteger(what, 'minPlanLength', minPlanLength);
  requirePositiveInteger(what, 'vocabSize', vocabSize);
  if (vocabSize < maxPathLength * degree - degree + 1) {
    throw new Error(
      `${what}: vocabSize = ${vocabSize}, expected ≥ maxPathLength · degree − degree + 1 = ${maxPathLength * degree - degree + 1}`,
    );
  }
  if (minPlanLength > minPathLength - 1) {
    // The reference only requires minPlanLength ≤ minPathLength; with equality NumPy's
    // randint(0) raises. We require room for the centre before the planned part.
    throw new Error(`${what}: minPlanLength = ${minPlanLength}, expected ≤ minPathLength − 1 = ${minPathLength - 1}`);
  }
  const lengths = Array.from({ length: degree }, () => randomInteger(random, minPathLength, maxPathLength + 1));
  const joins = lengths.map((length) => randomInteger(random, 0, length - minPlanLength));
  const numNodes = lengths.reduce((sum, length) => sum + length, 0) - degree + 1;
  const ids = sampleWithoutReplacement(random, vocabSize, numNodes);
  const centre = ids[0] as number;
  let nextId = 1;
  const edgeList: [number, number][] = [];
  const path: number[] = [];
  for (let arm = 0; arm < degree; arm++) {
    let previous: number | undefined;
    const length = lengths[arm] as number;
    for (let index = 0; index < length; index++) {
      const node = index === joins[arm] ? centre : (ids[nextId++] as number);
      if (previous !== undefined) edgeList.push([previous, node]);
      if (arm === 0) path.push(node);
      previous = node;
    }
  }
  const source = path[0] as number;
  const goal = path[path.length - 1] as number;
  shuffleInPlace(edgeList, random);
  return { edgeList, source, goal, path };
}

/** One graph from the settings of a difficulty (`STAR_GRAPH_SETTINGS`) or explicit generator options. */
export function generateStarGraph(random: RandomSource, settings: StarDifficulty | StarGraphOptions): StarGraph {
  const options = typeof settings === 'string' ? STAR_GRAPH_SETTINGS[settings] : settings;
  if (options === undefined) {
    throw new Error(`generateStarGraph: difficulty = ${JSON.stringify(settings)}, expected one of easy, medium, hard`);
  }
  return options.kind === 'simple' ? generateSimpleStarGraph(random, options) : generateAsymmetricStarGraph(random, options);
}

/** MurmurHash3's 32-bit finaliser. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A key that identifies a problem regardless of edge order: two order-independent 32-bit hashes of
 * the edges (a sum and an xor of per-edge hashes), combined with the source and the goal. Used to keep
 * validation and test problems out of the training set; a (very unlikely) collision only makes the
 * generator redraw a problem, it can never let a training problem through.
 */
export function starGraphKey(graph: StarGraph): string {
  let sum = 0;
  let xor = 0;
  for (const [from, to] of graph.edgeList) {
    const edge = mix32(Math.imul(mix32(from) ^ 0x9e3779b9, 31) + to);
    sum = (sum + edge) >>> 0;
    xor = (xor ^ mix32(edge ^ 0x5bd1e995)) >>> 0;
  }
  const first = mix32(sum ^ mix32(graph.source + 0x1000 * graph.edgeList.length));
  const second = mix32(xor ^ mix32(graph.goal + 0x7fff));
  return `${first.toString(36)}:${second.toString(36)}:${graph.source}:${graph.goal}`;
}
