#!/usr/bin/env bash
# The `ningju` command end to end on a throw-away SQLite database: demo, migrate, users and roles, audit verify
# (intact, then tampered), backup, roster import (bad, dry run, real) and export. Prints "cli: N passed, M failed".
#   tests/cli/cli_test.sh PATH/TO/ningju
set -u
NJ=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB="sqlite:$TMP/cli.db"
export NINGJU_PASSWORD_COST=test
PASS=0
FAIL=0

# check NAME EXPECTED_STATUS PATTERN -- COMMAND...: runs COMMAND, checks its exit status and that its output
# (stdout and stderr together) matches PATTERN (an extended regular expression; "" matches anything).
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit status $status, wanted $want"; echo "$out" | head -20; FAIL=$((FAIL + 1)); return
  fi
  if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output does not match /$pattern/"; echo "$out" | head -20; FAIL=$((FAIL + 1)); return
  fi
  echo "ok   $name"
  PASS=$((PASS + 1))
}

check "help lists the subcommands" 0 "audit" -- "$NJ" --help
check "every subcommand has --help" 0 "--neighborhood" -- "$NJ" import --help
check "demo" 0 "185 neighborhoods" -- "$NJ" demo --database "$DB" --scale small --seed 5
check "demo is deterministic" 0 "" -- bash -c "'$NJ' demo --database sqlite:$TMP/again.db --scale small --seed 5 >/dev/null &&
  sqlite3 $TMP/cli.db 'SELECT code, name, subkind FROM areas ORDER BY id' > $TMP/a.txt &&
  sqlite3 $TMP/again.db 'SELECT code, name, subkind FROM areas ORDER BY id' > $TMP/b.txt && cmp $TMP/a.txt $TMP/b.txt"
check "demo refuses a database with a tree" 2 "already holds" -- "$NJ" demo --database "$DB" --scale small
check "demo --if-empty leaves it alone" 0 "left alone" -- "$NJ" demo --database "$DB" --if-empty
check "migrate is idempotent" 0 "applied 0 migration" -- "$NJ" migrate --database "$DB"
check "user add" 0 "user [0-9]+ wangwu" -- "$NJ" user add wangwu --name 王五 --password password-123 --database "$DB"
check "user add refuses a short password" 2 "at least 8" -- "$NJ" user add zhaoliu --name 赵六 --password short --database "$DB"
check "user grant" 0 "granted neighborhood_staff" -- "$NJ" user grant wangwu neighborhood_staff --area 3 --database "$DB"
check "user grant refuses an unknown role" 2 "unknown role" -- "$NJ" user grant wangwu king --area 3 --database "$DB"
check "user token prints a new token once" 0 "^nj_[A-Za-z0-9_-]{20,}$" -- "$NJ" user token wangwu --name "bench client" --database "$DB"
check "the token is kept only as a hash" 0 "^1$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM api_tokens WHERE name = 'bench client' AND token_hash NOT LIKE 'nj_%'"
check "user token refuses an empty name" 2 "1 to 60 characters" -- "$NJ" user token wangwu --name "" --database "$DB"
check "user token refuses an unknown login" 2 "no user" -- "$NJ" user token nobody --name x --database "$DB"
check "user token create with a scope and an expiry" 0 "^nj_[A-Za-z0-9_-]{20,}$" -- "$NJ" user token create wangwu --name "read only" --scope read --expires-days 7 --database "$DB"
check "the read token's scope and expiry are stored" 0 "^read\|604800$" -- sqlite3 "$TMP/cli.db" "SELECT scope, expires_at - created_at FROM api_tokens WHERE name = 'read only'"
check "user token refuses an unknown scope" 2 "" -- "$NJ" user token create wangwu --name x --scope admin --database "$DB"
check "user token list shows the tokens, never their values" 0 "bench client" -- "$NJ" user token list wangwu --database "$DB"
check "user token list: no token value" 1 "" -- bash -c "'$NJ' user token list wangwu --database '$DB' | grep -q nj_"
TID=$(sqlite3 "$TMP/cli.db" "SELECT id FROM api_tokens WHERE name = 'bench client'")
check "user token revoke" 0 "revoked token $TID" -- "$NJ" user token revoke "$TID" --database "$DB"
check "the revoked token is marked" 0 "^1$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM api_tokens WHERE id = $TID AND revoked_at > 0"
check "user token revoke twice is refused" 2 "no live API token $TID" -- "$NJ" user token revoke "$TID" --database "$DB"
check "config file" 0 "granted" -- bash -c "printf 'database = \"$DB\"\n' > $TMP/ningju.toml &&
  '$NJ' user grant wangwu building_leader --area 3 --config $TMP/ningju.toml"
check "config file: an unknown setting is named with its line" 2 "line 2: unknown setting \"colour\"" -- bash -c "printf '# ningju\ncolour = red\n' > $TMP/bad.toml && '$NJ' migrate --config $TMP/bad.toml"
check "a flag wins over the config file" 0 "user [0-9]+ qianqi" -- bash -c "printf 'database = \"sqlite:$TMP/none/x.db\"\n' > $TMP/other.toml &&
  '$NJ' user add qianqi --name 钱七 --password password-789 --config $TMP/other.toml --database $DB"
check "environment variable" 0 "user [0-9]+ lisi" -- env NINGJU_DATABASE="$DB" "$NJ" user add lisi --name 李四 --password password-456
# holidays: next year's notice, previewed, refused when for another year, stored, listed (the year is computed, so
# the test holds in any year; a holiday alone fits every year).
NEXT=$(( $(TZ=Asia/Shanghai date +%Y) + 1 ))
printf 'years %s\n%s-01-01 holiday 元旦\n' "$NEXT" "$NEXT" > "$TMP/notice.txt"
printf 'years 2099\n2099-01-01 holiday 元旦\n' > "$TMP/far.txt"
check "holidays list shows the built-in years" 0 "^2026 built_in [0-9]+ holidays" -- "$NJ" holidays list --database "$DB"
check "holidays import --dry-run previews" 0 "deadline\(s\) of open cases would move" -- "$NJ" holidays import "$TMP/notice.txt" --dry-run --database "$DB"
check "the dry run stored nothing" 0 "^0$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM holiday_years"
check "holidays import refuses another year" 2 "only this year and the next" -- "$NJ" holidays import "$TMP/far.txt" --database "$DB"
check "holidays import stores the year" 0 "deadline\(s\) of open cases moved" -- "$NJ" holidays import "$TMP/notice.txt" --database "$DB"
check "holidays list shows the stored year" 0 "^$NEXT stored 1 holidays" -- "$NJ" holidays list --database "$DB"
check "the import is audited" 0 "^1$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'holidays.import'"
check "audit verify on an intact chain" 0 "audit chain intact" -- "$NJ" audit verify --database "$DB"
check "backup" 0 "backed up" -- "$NJ" backup "$TMP/backup.db" --database "$DB"
check "the backup opens and holds the tree" 0 "^185$" -- sqlite3 "$TMP/backup.db" "SELECT COUNT(*) FROM areas WHERE kind = 'neighborhood'"

NB=$(sqlite3 "$TMP/cli.db" "SELECT id FROM areas WHERE kind = 'neighborhood' ORDER BY id LIMIT 1")
BEFORE=$(sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM units")
check "import refuses a roster with bad rows, naming each" 2 "row 3, column E" -- "$NJ" import --neighborhood "$NB" "$ROOT/tests/roster/bad.csv" --database "$DB"
check "nothing was imported" 0 "^$BEFORE$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM units"
check "import dry run" 0 "dry run" -- "$NJ" import --dry-run --neighborhood "$NB" "$ROOT/tests/roster/good.csv" --database "$DB"
check "import" 0 "\"ok\": true" -- "$NJ" import --neighborhood "$NB" "$ROOT/tests/roster/good.csv" --database "$DB"
check "export masks personal data" 0 "138\*\*\*\*5678" -- "$NJ" export --neighborhood "$NB" --database "$DB"
check "export unmasked" 0 "13812345678" -- "$NJ" export --neighborhood "$NB" --unmasked --database "$DB"
check "export xlsx" 0 "" -- bash -c "'$NJ' export --neighborhood $NB --format xlsx -o $TMP/r.xlsx --database $DB && head -c 2 $TMP/r.xlsx | grep -q PK"
check "import of a missing file" 2 "" -- "$NJ" import --neighborhood "$NB" "$TMP/none.csv" --database "$DB"

# Invitation letters from the command line: every owner of a building of the imported roster, then one owner.
B=$(sqlite3 "$TMP/cli.db" "SELECT u.building_id FROM units u JOIN unit_owners uo ON uo.unit_id = u.id JOIN areas b ON b.id = u.building_id WHERE b.parent_id = $NB ORDER BY u.building_id LIMIT 1")
OWNERS=$(sqlite3 "$TMP/cli.db" "SELECT COUNT(DISTINCT uo.owner_id) FROM unit_owners uo JOIN units u ON u.id = uo.unit_id WHERE u.building_id = $B")
OWNER=$(sqlite3 "$TMP/cli.db" "SELECT MIN(uo.owner_id) FROM unit_owners uo JOIN units u ON u.id = uo.unit_id WHERE u.building_id = $B")
OTHER_B=$(sqlite3 "$TMP/cli.db" "SELECT id FROM areas WHERE kind = 'building' AND id <> $B ORDER BY id LIMIT 1")
check "owner letter prints every owner's letter" 0 "^$OWNERS letter\(s\) written to $TMP/letters.html" -- "$NJ" owner letter --building "$B" --out "$TMP/letters.html" --database "$DB"
check "the letters file holds a code and a QR code per owner" 0 "^$OWNERS $OWNERS$" -- bash -c "echo \$(grep -o 'data-claim-code=\"[0-9A-Z-]\{14\}\"' $TMP/letters.html | wc -l) \$(grep -o '<svg' $TMP/letters.html | wc -l)"
check "the letters file is a page of its own with the site's style" 0 "<style>" -- cat "$TMP/letters.html"
check "the letters are audited as the command line" 0 "^$OWNERS$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'owner.invite' AND actor = 'cli' AND actor_id IS NULL"
check "the codes are not on the terminal" 1 "" -- bash -c "'$NJ' owner letter --building $B --owner $OWNER --out $TMP/one.html --database '$DB' | grep -q 'data-claim-code'"
check "owner letter for one owner" 0 "^1 letter\(s\) written" -- "$NJ" owner letter --building "$B" --owner "$OWNER" --lang en --out "$TMP/one.html" --database "$DB"
check "the English letter" 0 "Invitation to take part online" -- cat "$TMP/one.html"
check "one open code per owner: the earlier ones are replaced" 0 "^1$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM owner_invitations WHERE owner_id = $OWNER AND used_at IS NULL AND replaced_at IS NULL"
check "owner letter refuses an owner of another building" 2 "holds no unit in building $OTHER_B" -- "$NJ" owner letter --building "$OTHER_B" --owner "$OWNER" --out "$TMP/x.html" --database "$DB"
check "owner letter refuses what is not a building" 2 "per building" -- "$NJ" owner letter --building "$NB" --out "$TMP/x.html" --database "$DB"

# Join requests from the command line: two accounts asked (as the site stores a request), one approved, one refused.
WANGWU=$(sqlite3 "$TMP/cli.db" "SELECT id FROM users WHERE username = 'wangwu'")
LISI=$(sqlite3 "$TMP/cli.db" "SELECT id FROM users WHERE username = 'lisi'")
sqlite3 "$TMP/cli.db" "INSERT INTO join_requests (user_id, neighborhood_id, unit_number, message, state, created_at) VALUES ($WANGWU, $NB, '1-101', '租户', 'pending', 1780000000), ($LISI, $NB, '', '', 'pending', 1780000100)"
J1=$(sqlite3 "$TMP/cli.db" "SELECT id FROM join_requests WHERE user_id = $WANGWU")
J2=$(sqlite3 "$TMP/cli.db" "SELECT id FROM join_requests WHERE user_id = $LISI")
check "join list shows the pending requests" 0 "^$J1	pending	2026-05-29 04:26	.*	-	1-101	王五" -- "$NJ" join list --area "$NB" --database "$DB"
check "join approve" 0 "approved join request $J1" -- "$NJ" join approve "$J1" --database "$DB"
check "the approved account is a resident of the neighborhood" 0 "^1$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM role_grants WHERE user_id = $WANGWU AND role = 'resident' AND area_id = $NB AND revoked_at = 0 AND origin = 'join'"
check "join approve twice is refused" 2 "no longer pending" -- "$NJ" join approve "$J1" --database "$DB"
check "join refuse needs a reason" 2 "reason" -- "$NJ" join refuse "$J2" --database "$DB"
check "join refuse" 0 "refused join request $J2" -- "$NJ" join refuse "$J2" --reason "请到居委会核实" --database "$DB"
check "join list: nothing pending" 0 "^0 request\(s\)$" -- "$NJ" join list --area "$NB" --database "$DB"
check "join list --all shows the decided ones" 0 "$J2	refused" -- "$NJ" join list --area "$NB" --all --database "$DB"
check "the decisions are audited as the command line" 0 "^2$" -- sqlite3 "$TMP/cli.db" "SELECT COUNT(*) FROM audit_log WHERE action IN ('join.approve', 'join.refuse') AND actor = 'cli'"

# A published head, then a rewrite that recomputes every later hash: the chain alone looks intact, the published
# head finds it.
HEAD=$("$NJ" audit head --database "$DB")
check "audit head prints SEQ:HASH" 0 "^[0-9]+:[0-9a-f]{64}$" -- echo "$HEAD"
check "audit verify reaches the published head" 0 "intact: [0-9]+ records, reaches $HEAD" -- "$NJ" audit verify --head "$HEAD" --database "$DB"
check "audit verify refuses a malformed head" 2 "SEQ:HASH" -- "$NJ" audit verify --head "12:xyz" --database "$DB"
cp "$TMP/cli.db" "$TMP/rehashed.db"
# Edits record 3 and recomputes the hash of every record from there, as audit/record.cc does, and the head row.
python3 - "$TMP/rehashed.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def field(v):
    b = v.encode()
    return str(len(b)).encode() + b":" + b
db.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 3")
prev = db.execute("SELECT hash FROM audit_log WHERE id = 2").fetchone()[0]
rows = db.execute("SELECT id, at, actor_id, actor, action, object_ref, summary FROM audit_log WHERE id >= 3 ORDER BY id").fetchall()
for rid, at, actor_id, actor, action, ref, summary in rows:
    data = b"".join(field(x) for x in [prev, str(rid), str(at), "" if actor_id is None else str(actor_id), actor, action, ref, summary])
    h = hashlib.sha256(data).hexdigest()
    db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, rid))
    prev = h
db.execute("UPDATE audit_head SET last_hash = ? WHERE singleton = 1", (prev,))
db.commit()
PY
check "a rewrite with recomputed hashes passes the chain alone" 0 "audit chain intact" -- "$NJ" audit verify --database "sqlite:$TMP/rehashed.db"
HEAD_SEQ=${HEAD%%:*}
check "the published head finds the rewrite" 1 "audit record $HEAD_SEQ: does not reach the published head $HEAD" -- "$NJ" audit verify --head "$HEAD" --database "sqlite:$TMP/rehashed.db"
sqlite3 "$TMP/rehashed.db" "DELETE FROM audit_log WHERE id >= $HEAD_SEQ; UPDATE audit_head SET last_id = $HEAD_SEQ - 1, last_hash = (SELECT hash FROM audit_log WHERE id = $HEAD_SEQ - 1)"
check "a chain cut short of the published head is found" 1 "audit record $HEAD_SEQ: does not reach the published head $HEAD: record $HEAD_SEQ is missing" -- "$NJ" audit verify --head "$HEAD" --database "sqlite:$TMP/rehashed.db"

# Tampering: edit one record, delete another; verify names both and fails.
EDIT=$(sqlite3 "$TMP/cli.db" "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2")
DEL=$(sqlite3 "$TMP/cli.db" "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 4")
sqlite3 "$TMP/cli.db" "UPDATE audit_log SET actor = 'someone else' WHERE id = $EDIT; DELETE FROM audit_log WHERE id = $DEL;"
check "audit verify names an edited record" 1 "audit record $EDIT: edited" -- "$NJ" audit verify --database "$DB"
check "audit verify names a deleted record" 1 "audit record $DEL: deleted" -- "$NJ" audit verify --database "$DB"

# The outbox: a dead delivery listed (recipient masked) and made pending again.
sqlite3 "$TMP/cli.db" "INSERT INTO deliveries (channel, recipient, subject, body, purpose, state, attempts, next_attempt_at, last_error, created_at) VALUES ('email', 'lu.xiaofeng@example.org', 's', 'b', 'code', 'dead', 8, 0, 'smtp: couldn''t connect', 1780000000)"
DID=$(sqlite3 "$TMP/cli.db" "SELECT id FROM deliveries WHERE state = 'dead'")
check "deliveries list shows the dead one, masked" 0 "^$DID	dead	email	l\*\*\*@example.org	code	8	" -- "$NJ" deliveries list --state dead --database "$DB"
check "deliveries list never shows the address" 1 "" -- bash -c "'$NJ' deliveries list --database '$DB' | grep -q lu.xiaofeng"
check "deliveries list refuses an unknown state" 2 "lost" -- "$NJ" deliveries list --state lost --database "$DB"
check "deliveries retry" 0 "delivery $DID pending again" -- "$NJ" deliveries retry "$DID" --database "$DB"
check "the retried delivery is pending with its attempts reset" 0 "^pending\|0$" -- sqlite3 "$TMP/cli.db" "SELECT state, attempts FROM deliveries WHERE id = $DID"
check "deliveries retry of one not dead" 2 "no dead delivery $DID" -- "$NJ" deliveries retry "$DID" --database "$DB"
check "deliveries retry needs an id or --all-dead" 2 "--all-dead" -- "$NJ" deliveries retry --database "$DB"

echo "cli: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
