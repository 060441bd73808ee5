#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-licenses.sh TOP: every SPDX identifier used in the tree's files has
# its text in LICENSES/ (as "Valid-License-Identifier:" or, for an
# exception, "SPDX-Exception-Identifier:"), and every file that git tracks
# under module/, uapi/, tools/ and selftests/ has an SPDX line, or is data.
set -euo pipefail
top=$1
cd "$top"
known=$(sed -n 's/^\(Valid-License-Identifier\|SPDX-Exception-Identifier\): *//p' \
	LICENSES/*/* | sort -u)
bad=0
used=$(git ls-files -z -- . ':!LICENSES' ':!tools/packaging/check-licenses.sh' |
	xargs -0 grep -h -o 'SPDX-License-Identifier: [A-Za-z0-9.+ ()-]*' 2>/dev/null |
	sed 's/SPDX-License-Identifier: *//; s/[()]/ /g; s/ \(OR\|AND\|WITH\) / /g' |
	tr ' ' '\n' | sed '/^$/d' | sort -u)
for id in $used; do
	grep -Fqx -- "$id" <<<"$known" || { echo "no licence text for SPDX id $id"; bad=1; }
done
# Sources without an SPDX line (data, generated pages and the licence
# texts themselves excepted).
missing=$(git ls-files module uapi tools selftests Kbuild Makefile |
	grep -E '\.(c|h|sh|py|mk)$|Makefile$|Kbuild$' |
	while read -r f; do grep -q 'SPDX-License-Identifier' <<<"$(head -n 3 "$f")" || echo "$f"; done)
[ -z "$missing" ] || { echo "no SPDX line in: $missing"; bad=1; }
echo "SPDX ids used: $(echo $used)"
exit $bad
