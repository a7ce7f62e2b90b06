// The sample catalog travels inside the binary (esbuild `define`, see build.mjs); seeding a
// fresh DATA_DIR now happens in src/cli.ts for source and binary alike.
export { catalogFileFor, ensureCatalogFile, sampleCatalogText as embeddedCatalogText } from '../../src/catalog/sample.ts';
