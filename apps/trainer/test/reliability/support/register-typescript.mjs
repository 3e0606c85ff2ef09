// `node --import <this file>`: installs the TypeScript module hooks (see typescript-loader.mjs).
import { register } from 'node:module';

register('./typescript-loader.mjs', import.meta.url);
