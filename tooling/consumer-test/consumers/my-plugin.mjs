// A plugin of your own: a module (or a package) whose default export is made with definePlugin from
// @mlm/components (no dependency on the trainer). List it under `plugins:` in a config
// (`plugins: [./my-plugin.mjs]`) or load it with createRegistryWithPlugins; its components are then
// used by name like the built-in ones.
import { z } from 'zod';
import { defineComponent, definePlugin } from '@mlm/components';

/** Unmasks the rightmost [MASK] positions of each row first, `perStep` per step. */
const rightToLeft = defineComponent({
  kind: 'position-strategy',
  name: 'my/right-to-left',
  description: 'unmask the rightmost masked positions first',
  schema: z.strictObject({ perStep: z.number().int().min(1).default(1) }),
  create: ({ perStep }, context) => {
    context.log(`my/right-to-left: ${perStep} position(s) per step`);
    return {
      name: 'my/right-to-left',
      confidence: null,
      /** @param {import('@mlm/predictor').PositionSelectionInput} input */
      select({ batchSize, length, eligible }) {
        const selected = new Uint8Array(batchSize * length);
        for (let row = 0; row < batchSize; row++) {
          let taken = 0;
          for (let position = length - 1; position >= 0 && taken < perStep; position--) {
            if (eligible[row * length + position]) {
              selected[row * length + position] = 1;
              taken += 1;
            }
          }
        }
        return selected;
      },
    };
  },
});

export default definePlugin({ name: 'my', version: '1.0.0', components: [rightToLeft] });
