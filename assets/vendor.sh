#!/usr/bin/env bash
# Vendor the front-end files from npm into the package, so the platform runs air-gapped:
# nothing is fetched at run time and no page links a CDN. Run after changing package.json,
# then commit the files it copies.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
out=../src/povertycloud/web/static/vendor
mkdir -p "$out"
cp node_modules/echarts/dist/echarts.min.js "$out/"
cp node_modules/echarts/LICENSE "$out/ECHARTS-LICENSE"
cp node_modules/echarts/NOTICE "$out/ECHARTS-NOTICE"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
    "$out/"
cp node_modules/swagger-ui-dist/LICENSE "$out/SWAGGER-UI-LICENSE"
cp node_modules/swagger-ui-dist/NOTICE "$out/SWAGGER-UI-NOTICE"
echo "vendored swagger-ui $(node -p 'require("./node_modules/swagger-ui-dist/package.json").version') into $out"
echo "vendored echarts $(node -p 'require("./node_modules/echarts/package.json").version') into $out"
