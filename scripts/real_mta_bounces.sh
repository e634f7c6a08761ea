#!/usr/bin/env bash
# Make bounces with real MTAs, for tests/fixtures/bounces/real-mta/ (see its README.md).
#
#   sudo scripts/real_mta_bounces.sh postfix exim sendmail opensmtpd courier dma
#   sudo scripts/real_mta_bounces.sh postfix-local exim-local sendmail-local opensmtpd-local
#   scripts/real_mta_bounces.sh --split sendmail saved.mbox   # only cut an mbox into files
#
# For each MTA named: install it from Debian's packages, configure it to deliver local mail for
# sender.test to the mbox /var/mail/sender and to relay everything for rcpt.test to the
# scripted receiver scripts/smtp_responder.py on 127.0.0.1:$PORT, submit one message per
# scenario as the local user `sender` through the MTA's /usr/sbin/sendmail, flush the queue
# until every message has bounced, save each bounce as <mta>-<scenario>.eml, then purge the
# MTA and its spool. The MTAs conflict with each other (mail-transport-agent): one at a time.
# A name with -local runs LOCAL_SCENARIOS instead: failures of the MTA's own local delivery.
#
# This is for regeneration by hand on a throwaway Debian 12 machine, as root. It installs and
# removes system packages and users: never run it in CI.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/tests/fixtures/bounces/real-mta}"
PORT="${PORT:-2525}"
WORK="${WORK:-/tmp/realmta}"
MBOX="${MBOX:-/var/mail/sender}"
# How long to wait for all bounces of one MTA (the queue-expiry scenarios take the longest).
WAIT_SECONDS="${WAIT_SECONDS:-300}"
export DEBIAN_FRONTEND=noninteractive

# scenario -> recipients (local parts at rcpt.test). The responder answers by local part
# ("+tag" ignored); see SCENARIOS in scripts/smtp_responder.py for the replies.
SCENARIOS=(unknown full fullsoft blocked spam dmarc relay big virus ptr defer multi)
recipients_of() {
    case "$1" in
        multi) echo "unknown+multi@rcpt.test full+multi@rcpt.test" ;;
        local-unknown) echo "nosuchuser@sender.test" ;;
        local-full) echo "fulluser@sender.test" ;;
        local-loop) echo "loopa@sender.test" ;;
        local-pipe) echo "pipefail@sender.test" ;;
        local-big) echo "rcptuser@sender.test" ;;
        *) echo "$1@rcpt.test" ;;
    esac
}

# Local-delivery failures (the runs named <mta>-local): the MTA itself fails to deliver to a
# local recipient of sender.test, no remote reply. nosuchuser has no account; fulluser's mbox
# is already at the size limit; loopa and loopb are aliases of each other; pipefail is an alias
# to a command that exits 1; local-big is a message bigger than the MTA's message size limit.
LOCAL_SCENARIOS=(local-unknown local-full local-loop local-pipe local-big)
# The mailbox quota and the message size limit (bytes), the same for both.
LOCAL_LIMIT=1000000

log() { printf '== %s\n' "$*" >&2; }

ensure_user() {
    id sender >/dev/null 2>&1 || useradd -m -s /bin/sh sender
    echo sender.test >/etc/mailname
}

start_responder() {
    mkdir -p "$WORK"
    python3 "$ROOT/scripts/smtp_responder.py" --port "$PORT" --log "$WORK/responder-$1.log" &
    RESPONDER_PID=$!
    sleep 1
}

stop_responder() {
    if [ -n "${RESPONDER_PID:-}" ]; then
        kill "$RESPONDER_PID" 2>/dev/null || true
        wait "$RESPONDER_PID" 2>/dev/null || true
        RESPONDER_PID=
    fi
}

submit_all() {
    local mta=$1 scenario rcpts pids=()
    for scenario in "${SCENARIOS[@]}"; do
        rcpts=$(recipients_of "$scenario")
        {
            printf 'From: Sender <sender@sender.test>\n'
            printf 'To: %s\n' "$(echo "$rcpts" | sed 's/ /, /g')"
            printf 'Subject: realmta scenario %s\n' "$scenario"
            printf 'Message-ID: <%s.%s@sender.test>\n' "$scenario" "$mta"
            printf 'Date: %s\n' "$(date -R)"
            printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n'
            printf 'A test message for the %s scenario, sent through %s.\n' "$scenario" "$mta"
            # Twice the size limit of the local runs: 64-byte lines.
            if [ "$scenario" = local-big ]; then
                yes 'This line pads the message past the message size limit of the MTA.' |
                    cut -c1-63 | head -n $((2 * LOCAL_LIMIT / 64)) || true
            fi
        } | su -s /bin/sh sender -c "/usr/sbin/sendmail -oi $rcpts" &
        pids+=($!)
        # Sendmail's submission program lingers a minute after each message here: submit
        # its messages side by side. The others one after the other. A refused submission
        # (local-big) is logged, not fatal.
        [ "$mta" = sendmail ] || wait "$!" || log "submission of $scenario exited $?"
    done
    # Only the submissions: a bare wait would wait for the responder too.
    wait "${pids[@]}" || true
}

bounce_count() {
    if [ -f "$MBOX" ]; then grep -c '^From ' "$MBOX" || true; else echo 0; fi
}

# Flush with "$@" every 10 s until one bounce per scenario (and EXTRA_BOUNCES more) has arrived.
wait_for_bounces() {
    # Wall-clock time: a flush can itself take a minute (Sendmail's, without DNS).
    local want=$((${#SCENARIOS[@]} + ${EXTRA_BOUNCES:-0})) start=$SECONDS
    while [ "$(bounce_count)" -lt "$want" ] && [ $((SECONDS - start)) -lt "$WAIT_SECONDS" ]; do
        sleep 10
        "$@" >/dev/null 2>&1 || true
    done
    sleep 3
    log "$(bounce_count) bounce(s) of $want after $((SECONDS - start))s"
}

# Split the mbox into one file per message (the "From " postmark line and the blank separator
# line most MDAs add are dropped, nothing else), named by the scenario in the returned Subject.
save_bounces() {
    local mta=$1
    mkdir -p "$OUT"
    python3 - "$MBOX" "$OUT" "$mta" <<'EOF'
import re, sys
mbox, out, mta = sys.argv[1:]
data = open(mbox, "rb").read()
# Every line that starts with "From " is a postmark: MDAs quote such lines in a message
# (">From "). Most MDAs also end each message with a blank separator line (Courier does not):
# it is dropped only when every message ends with one.
messages, current = [], None
for line in data.splitlines(keepends=True):
    if line.startswith(b"From "):
        if current is not None:
            messages.append(current)
        current = []
        continue
    if current is not None:
        current.append(line)
if current is not None:
    messages.append(current)
if messages and all(m[-1:] == [b"\n"] for m in messages):
    messages = [m[:-1] for m in messages]
named = []
for lines in messages:
    raw = b"".join(lines)
    m = re.search(rb"realmta scenario ([a-z]+(?:-[a-z]+)*)", raw)
    name = m.group(1).decode() if m else "unknown-scenario"
    # A delay notice (RFC 3464 Action: delayed) is not the final bounce: say so in its name.
    if re.search(rb"(?im)^Action:[ \t]*delayed", raw):
        name += "-delayed"
    named.append((name, raw))
# Bounces of one scenario, one per recipient (dma's), are numbered in the order of the
# recipient they name, so that a new run names them alike; delay notices in arrival order.
def recipient(raw):
    m = re.search(rb"(?im)^(?:X-Original-To|Final-Recipient):[^\n]*", raw)
    return m.group(0).lower() if m else b""
order = sorted(range(len(named)), key=lambda i: (
    named[i][0], 0 if named[i][0].endswith("-delayed") else recipient(named[i][1]), i))
seen = {}
for i in order:
    name, raw = named[i]
    seen[name] = seen.get(name, 0) + 1
    suffix = "" if seen[name] == 1 else f"-{seen[name]}"
    path = f"{out}/{mta}-{name}{suffix}.eml"
    open(path, "wb").write(raw)
    print("saved", path)
EOF
}

record_version() {
    printf '%s\t%s\n' "$1" "$2" >>"$WORK/versions.tsv"
}

cleanup_common() {
    stop_responder
    rm -f "$MBOX"
}

# The users and aliases of the local scenarios; /etc/aliases is restored by local_teardown.
local_setup() {
    local user
    for user in fulluser rcptuser; do
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/sh "$user"
    done
    # fulluser's mbox is already at the quota: one old message of LOCAL_LIMIT bytes.
    {
        printf 'From old@sender.test Thu Jan  1 00:00:00 2026\nSubject: filler\n\n'
        head -c "$LOCAL_LIMIT" /dev/zero | tr '\0' 'x' | fold -w 63
        printf '\n\n'
    } >/var/mail/fulluser
    chown fulluser:mail /var/mail/fulluser
    chmod 660 /var/mail/fulluser
    cp -p /etc/aliases "$WORK/aliases.saved"
    printf 'loopa: loopb\nloopb: loopa\npipefail: "|/bin/false"\n' >>/etc/aliases
}

local_teardown() {
    if [ -f "$WORK/aliases.saved" ]; then mv "$WORK/aliases.saved" /etc/aliases; fi
    local user
    for user in fulluser rcptuser; do
        if id "$user" >/dev/null 2>&1; then userdel -r "$user" 2>/dev/null || true; fi
        rm -f "/var/mail/$user"
    done
    rm -f /home/sender/dead.letter
}

# --- Postfix -----------------------------------------------------------------------------
postfix_install() {
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string sender.test" | debconf-set-selections
    apt-get install -y -q postfix >/dev/null
    postconf -e \
        myhostname=mail.sender.test mydomain=sender.test myorigin=sender.test \
        'mydestination=mail.sender.test, sender.test, localhost' \
        inet_interfaces=loopback-only \
        "transport_maps=inline:{rcpt.test=smtp:[127.0.0.1]:$PORT}" \
        maximal_queue_lifetime=0 bounce_queue_lifetime=0 \
        queue_run_delay=10s minimal_backoff_time=10s maximal_backoff_time=20s \
        smtp_tls_security_level=none
    record_version postfix "$(postconf -h mail_version) (Debian $(dpkg-query -W -f '${Version}' postfix))"
}

postfix_purge() {
    postfix stop || true
    apt-get purge -y -q postfix >/dev/null
    rm -rf /etc/postfix /var/spool/postfix /var/lib/postfix
}

run_postfix() {
    postfix_install
    postfix start || postfix reload
    submit_all postfix
    wait_for_bounces postqueue -f
    save_bounces postfix
    postfix_purge
}

run_postfix_local() {
    postfix_install
    # mailbox_size_limit is the local mbox quota (it may not be below message_size_limit). It
    # binds Postfix's own mbox delivery: Debian's postinst delivers through procmail when it is
    # installed, so mailbox_command is emptied.
    postconf -e message_size_limit=$LOCAL_LIMIT mailbox_size_limit=$LOCAL_LIMIT mailbox_command=
    newaliases
    postfix start || postfix reload
    submit_all postfix
    # Postfix's sendmail refuses local-big itself (postdrop: "File too large", exit 75): the
    # sender is told at once, no bounce.
    EXTRA_BOUNCES=-1 wait_for_bounces postqueue -f
    save_bounces postfix
    postfix_purge
}

# Postfix hands the mailboxes of fulluser and nosuchuser to Dovecot's LMTP server (quota
# plugin, the same limit), configured as run_postfix_local otherwise. Saved as
# postfix-dovecot-local-*.
run_postfix_dovecot_local() {
    postfix_install
    # Purged afterwards with the libraries it pulls in (whatever is new after the install).
    local before
    before=$(dpkg-query -W -f '${Package}\n' | sort)
    apt-get install -y -q dovecot-lmtpd >/dev/null
    local dovecot_pkgs
    dovecot_pkgs=$(dpkg-query -W -f '${Package}\n' | sort | comm -13 <(echo "$before") -)
    cat >/etc/dovecot/local.conf <<EOF
protocols = lmtp
mail_location = mbox:~/mail:INBOX=/var/mail/%u
mail_privileged_group = mail
# LMTP looks the user up by the whole address; the system users have no domain.
auth_username_format = %Ln
mail_plugins = \$mail_plugins quota
plugin {
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=${LOCAL_LIMIT}B
}
service lmtp {
  unix_listener /var/spool/postfix/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
EOF
    local lmtp=lmtp:unix:private/dovecot-lmtp
    postconf -e message_size_limit=$LOCAL_LIMIT mailbox_size_limit=$LOCAL_LIMIT mailbox_command= \
        "mailbox_transport_maps=inline:{fulluser=$lmtp, nosuchuser=$lmtp}"
    newaliases
    doveadm reload 2>/dev/null || dovecot
    postfix start || postfix reload
    record_version dovecot "$(dovecot --version) (Debian $(dpkg-query -W -f '${Version}' dovecot-lmtpd))"
    SCENARIOS=(local-unknown local-full)
    submit_all postfix
    wait_for_bounces postqueue -f
    save_bounces postfix-dovecot
    doveadm stop || true
    # shellcheck disable=SC2086 # one package name per word
    apt-get purge -y -q $dovecot_pkgs >/dev/null
    rm -rf /etc/dovecot /var/lib/dovecot /run/dovecot
    postfix_purge
}

# --- Exim --------------------------------------------------------------------------------
exim_install() {
    apt-get install -y -q exim4-daemon-light >/dev/null
    cat >/etc/exim4/update-exim4.conf.conf <<EOF
dc_eximconfig_configtype='smarthost'
dc_other_hostnames='sender.test;mail.sender.test'
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='true'
dc_relay_nets=''
dc_smarthost='127.0.0.1::$PORT'
CFILEMODE='644'
dc_use_split_config='false'
dc_hide_mailname=''
dc_mailname_in_oh='true'
dc_localdelivery='mail_spool'
EOF
    echo 'MAIN_HARDCODE_PRIMARY_HOSTNAME = mail.sender.test' >/etc/exim4/exim4.conf.localmacros
    # The shortest retry rule: give up on a temporary error after one minute.
    sed -i 's/F,2h,15m; G,16h,1h,1.5; F,4d,6h/F,1m,10s/' /etc/exim4/exim4.conf.template
    # The smarthost is on the local host (another port): route (self = send) and deliver
    # (allow_localhost) to it anyway.
    sed -i '/^smarthost:/,/^$/{s/^  no_more$/  self = send\n  no_more/}' /etc/exim4/exim4.conf.template
    sed -i '/^remote_smtp_smarthost:/,/^$/{s/^  multi_domain$/  multi_domain\n  allow_localhost/}' \
        /etc/exim4/exim4.conf.template
}

# Make Exim's configuration from the template and (re)start it.
exim_start() {
    update-exim4.conf
    grep -q 'F,1m,10s' /var/lib/exim4/config.autogenerated
    grep -q 'allow_localhost' /var/lib/exim4/config.autogenerated
    record_version exim "$(exim4 -bV | head -1 | sed 's/ #.*//') (Debian $(dpkg-query -W -f '${Version}' exim4-daemon-light))"
}

exim_purge() {
    apt-get purge -y -q exim4-daemon-light exim4-base exim4-config >/dev/null
    rm -rf /etc/exim4 /var/spool/exim4 /var/log/exim4
}

run_exim() {
    exim_install
    exim_start
    submit_all exim
    wait_for_bounces exim4 -qff
    save_bounces exim
    exim_purge
}

run_exim_local() {
    exim_install
    # The mbox quota, the message size limit and pipes in /etc/aliases (Debian's
    # system_aliases router takes them from these macros).
    sed -i '/^mail_spool:/,/^$/{s/^  driver = appendfile$/  driver = appendfile\n  quota = '"$LOCAL_LIMIT"'/}' \
        /etc/exim4/exim4.conf.template
    cat >>/etc/exim4/exim4.conf.localmacros <<EOF
MESSAGE_SIZE_LIMIT = $LOCAL_LIMIT
SYSTEM_ALIASES_PIPE_TRANSPORT = address_pipe
SYSTEM_ALIASES_USER = mail
SYSTEM_ALIASES_GROUP = mail
EOF
    exim_start
    grep -q "quota = $LOCAL_LIMIT" /var/lib/exim4/config.autogenerated
    # No local-loop: Exim skips a router for an address that is its own ancestor, so loopa ->
    # loopb -> loopa ends as "Unrouteable address", the same bounce as local-unknown.
    SCENARIOS=(local-unknown local-full local-pipe local-big)
    submit_all exim
    # Exim's error mail for local-big copies the message and is refused by the same limit
    # ("message too big" in mainlog): no bounce comes back.
    EXTRA_BOUNCES=-1 wait_for_bounces exim4 -qff
    save_bounces exim
    exim_purge
}

# --- Sendmail ----------------------------------------------------------------------------
# Install and start Sendmail; "$1" holds more sendmail.mc lines (the local runs' limits).
sendmail_install() {
    # sensible-mda is the local mailer of Debian's sendmail.cf (without it local mail, the
    # bounces included, cannot be delivered).
    apt-get install -y -q sendmail-bin sendmail-cf sensible-mda >/dev/null
    cat >/etc/mail/sendmail.mc <<EOF
divert(-1)dnl
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(\`fivefifty real-mta fixtures')dnl
OSTYPE(\`debian')dnl
DOMAIN(\`debian-mta')dnl
define(\`confDOMAIN_NAME', \`mail.sender.test')dnl
define(\`confTO_QUEUERETURN', \`1m')dnl
define(\`confTO_QUEUEWARN', \`1h')dnl
define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
FEATURE(\`use_cw_file')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl
MASQUERADE_AS(\`sender.test')dnl
FEATURE(\`masquerade_envelope')dnl
${1:-}MAILER_DEFINITIONS
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
    printf 'sender.test\nmail.sender.test\nlocalhost\n' >/etc/mail/local-host-names
    make -C /etc/mail >/dev/null 2>&1 || true
    m4 /etc/mail/sendmail.mc >/etc/mail/sendmail.cf
    # The submission program (MSP) names the sender after the host name; make it sender.test.
    sed -i "s/^FEATURE(\`msp'/define(\`confDOMAIN_NAME', \`mail.sender.test')dnl\\nMASQUERADE_AS(\`sender.test')dnl\\nFEATURE(\`masquerade_envelope')dnl\\nFEATURE(\`msp'/" \
        /etc/mail/submit.mc
    m4 /etc/mail/submit.mc >/etc/mail/submit.cf
    mkdir -p /var/lib/sendmail/host_status
    /usr/sbin/sendmail -bd -q10s
    record_version sendmail "$(/usr/sbin/sendmail -d0.1 -bt </dev/null 2>/dev/null | sed -n 's/^Version //p' | head -1) (Debian $(dpkg-query -W -f '${Version}' sendmail-bin))"
}

sendmail_purge() {
    kill "$(head -1 /run/sendmail/mta/sendmail.pid 2>/dev/null || head -1 /var/run/sendmail/mta/sendmail.pid)" 2>/dev/null || true
    apt-get purge -y -q sendmail-bin sendmail-cf sendmail-base sensible-mda >/dev/null
    rm -rf /etc/mail /var/spool/mqueue /var/spool/mqueue-client /var/lib/sendmail /run/sendmail
}

run_sendmail() {
    sendmail_install
    submit_all sendmail
    wait_for_bounces /usr/sbin/sendmail -q
    save_bounces sendmail
    sendmail_purge
}

run_sendmail_local() {
    # The message size limit and the system aliases; Sendmail has no mbox quota of its own
    # (Debian's local mailer is sensible-mda): no local-full.
    sendmail_install "define(\`confMAX_MESSAGE_SIZE', \`$LOCAL_LIMIT')dnl
define(\`ALIAS_FILE', \`/etc/aliases')dnl
"
    /usr/sbin/sendmail -bi
    SCENARIOS=(local-unknown local-loop local-pipe local-big)
    submit_all sendmail
    # The submission program hands local-unknown and local-big to the MTA over SMTP, which
    # refuses them: the program reports that itself, in ~sender/dead.letter, and no bounce
    # comes back.
    EXTRA_BOUNCES=-2 wait_for_bounces /usr/sbin/sendmail -q
    save_bounces sendmail
    sendmail_purge
}

# --- OpenSMTPD ---------------------------------------------------------------------------
# Install and start OpenSMTPD; "$1" holds more smtpd.conf lines (the local runs' limit).
opensmtpd_start() {
    echo "opensmtpd opensmtpd/mailname string sender.test" | debconf-set-selections
    apt-get install -y -q opensmtpd >/dev/null
    # The package starts the daemon with its own configuration: stop it first.
    if [ -f /run/smtpd.pid ]; then kill "$(cat /run/smtpd.pid)" || true; fi
    cat >/etc/smtpd.conf <<EOF
${1:-}queue ttl 1m
table aliases file:/etc/aliases
listen on lo
action "local" mbox alias <aliases>
action "relay" relay host smtp://127.0.0.1:$PORT
match from local for domain "rcpt.test" action "relay"
match from local for domain "sender.test" action "local"
match for local action "local"
EOF
    smtpd -n
    smtpd
    sleep 2
    SMTPD_PID=$(pgrep -x -o smtpd)
    record_version opensmtpd "OpenSMTPD (Debian $(dpkg-query -W -f '${Version}' opensmtpd))"
}

opensmtpd_purge() {
    kill "$SMTPD_PID" || true
    apt-get purge -y -q opensmtpd >/dev/null
    rm -rf /etc/smtpd.conf /var/spool/smtpd
}

run_opensmtpd() {
    opensmtpd_start
    submit_all opensmtpd
    wait_for_bounces smtpctl schedule all
    save_bounces opensmtpd
    opensmtpd_purge
}

run_opensmtpd_local() {
    opensmtpd_start "smtp max-message-size $LOCAL_LIMIT
"
    # Its mbox delivery (mail.local) has no quota: no local-full.
    SCENARIOS=(local-unknown local-loop local-pipe local-big)
    submit_all opensmtpd
    # smtpd refuses local-unknown ("550 Invalid recipient"), local-loop ("524 5.2.4 Mailing
    # list expansion problem") and local-big ("554 5.3.4 Message too big for system") while the
    # message is submitted: sendmail says so and exits 70. Only local-pipe bounces.
    EXTRA_BOUNCES=-3 wait_for_bounces smtpctl schedule all
    save_bounces opensmtpd
    opensmtpd_purge
}

# --- Courier -----------------------------------------------------------------------------
run_courier() {
    apt-get install -y -q courier-mta >/dev/null
    cd /etc/courier
    echo mail.sender.test >me
    echo sender.test >defaultdomain
    echo mailer-daemon@sender.test >dsnfrom
    printf 'localhost\nsender.test\nmail.sender.test\n' >locals
    echo "rcpt.test: [127.0.0.1],$PORT" >esmtproutes
    # Give up on a temporary error after a minute, retrying every 10 s until then.
    echo 1m >queuetime
    echo 10 >retryalpha
    echo 10 >retrygamma
    # Local mail to an mbox in the home directory (Debian's default is ./Maildir).
    sed -i 's|^DEFAULTDELIVERY=.*|DEFAULTDELIVERY=./Mailbox|' courierd
    makealiases
    cd - >/dev/null
    # Local delivery looks the user up through the authentication daemon.
    authdaemond start
    courier start
    sleep 2
    record_version courier "Courier 1.0.16 (Debian $(dpkg-query -W -f '${Version}' courier-mta))"
    MBOX=/home/sender/Mailbox
    submit_all courier
    wait_for_bounces courier flush
    save_bounces courier
    courier stop || true
    authdaemond stop || true
    rm -f "$MBOX"
    MBOX=/var/mail/sender
    apt-get purge -y -q courier-mta courier-base courier-authlib courier-authdaemon >/dev/null
    rm -rf /etc/courier /var/lib/courier /run/courier
}

# --- DragonFly Mail Agent ----------------------------------------------------------------
# dma gives up on a temporary error only when its queue file is older than MAX_TIMEOUT (five
# days, compiled in; dma.conf has no setting for it): each flush first dates the queued files
# six days back, so the next try of a deferred message is its last.
dma_flush() {
    find /var/spool/dma -maxdepth 1 -type f -name 'Q*' -exec touch -d '6 days ago' {} +
    dma -q
}

run_dma() {
    echo "dma dma/mailname string sender.test" | debconf-set-selections
    echo "dma dma/relayhost string 127.0.0.1" | debconf-set-selections
    apt-get install -y -q dma >/dev/null
    printf 'SMARTHOST 127.0.0.1\nPORT %s\nMAILNAME sender.test\n' "$PORT" >/etc/dma/dma.conf
    record_version dma "dma (Debian $(dpkg-query -W -f '${Version}' dma))"
    submit_all dma
    # dma bounces each recipient on its own: two bounces for multi.
    EXTRA_BOUNCES=1 wait_for_bounces dma_flush
    save_bounces dma
    apt-get purge -y -q dma >/dev/null
    rm -rf /etc/dma /var/spool/dma
}

main() {
    if [ "${1:-}" = --split ]; then
        # --split MTA MBOX: only cut a saved mbox of bounces into fixtures.
        MBOX=$3 save_bounces "$2"
        return
    fi
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
    [ $# -gt 0 ] || set -- postfix exim sendmail opensmtpd
    ensure_user
    mkdir -p "$WORK"
    trap 'cleanup_common; local_teardown' EXIT
    local mta
    for mta in "$@"; do
        log "$mta"
        rm -f "$MBOX"
        start_responder "$mta"
        case "$mta" in
            *-local)
                local relay_scenarios=("${SCENARIOS[@]}")
                SCENARIOS=("${LOCAL_SCENARIOS[@]}")
                local_setup
                "run_${mta//-/_}"
                local_teardown
                SCENARIOS=("${relay_scenarios[@]}")
                ;;
            *) "run_$mta" ;;
        esac
        cleanup_common
    done
    log "versions: $WORK/versions.tsv; SMTP dialogues: $WORK/responder-*.log"
}

main "$@"
