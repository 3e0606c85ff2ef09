export { MLMLoss, createMLMLoss, type MLMLossOptions } from './mlm-loss.js';
export { positionsFromAttentionMask, documentMaskFromSegmentIds } from './positions.js';
export { selectScoredPositions, type ScoredPositions, type ScoredPositionsOptions } from './scored-positions.js';
