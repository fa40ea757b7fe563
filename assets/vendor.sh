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
echo "vendored echarts $(node -p 'require("./node_modules/echarts/package.json").version') into $out"
