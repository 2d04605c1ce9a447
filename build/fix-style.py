#!/usr/bin/env python3
"""Applies the mechanical fixes for what the style check (build/checkstyle.xml) found.

Run `mvn -B validate -Dcheckstyle.failOnViolation=false` first: this reads each module's
target/checkstyle-result.xml, then in each file with findings turns fully qualified class names in code into
imports, drops unused imports and rewrites the import block in the checked order. A name whose simple name is
already taken in the file (another import, a nested type, a class of the same package) is left alone and
listed: import one and put a "// qualified: <why>" comment line above the other's use. Re-run the check after.
"""
import collections
import glob
import os
import re
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
FQN = re.compile(r'(?<![\w.])((?:java|javax|jdk|sun|com|org|io|ch|net)\.[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\.([A-Z][A-Za-z0-9_]*)')

def code_spans(line):
    """(start,end) spans of code outside string/char literals and comments."""
    spans, i, start, n = [], 0, 0, len(line)
    while i < n:
        c = line[i]
        if c in '"\'':
            spans.append((start, i)); q = c; i += 1
            while i < n and line[i] != q:
                i += 2 if line[i] == '\\' else 1
            i += 1; start = i
        elif line.startswith('//', i):
            spans.append((start, i)); start = n; break
        elif line.startswith('/*', i):
            spans.append((start, i)); j = line.find('*/', i + 2)
            i = n if j < 0 else j + 2; start = i
        else:
            i += 1
    spans.append((start, n))
    return [(a, b) for a, b in spans if b > a]

# classes per package across the repo
pkg_classes = collections.defaultdict(set)
for f in glob.glob('**/src/*/java/**/*.java', recursive=True):
    p = f.split('/java/', 1)[1]
    pkg_classes[os.path.dirname(p).replace('/', '.')].add(os.path.basename(p)[:-5])

viol = collections.defaultdict(lambda: {'fqn': set(), 'unused': set(), 'order': False})
stale = []
for r in glob.glob('*/target/checkstyle-result.xml'):
    try:
        files = ET.parse(r).getroot()
    except ET.ParseError:
        print(f'{r}: unreadable (the check did not finish there), skipped')
        continue
    for fe in files:
        name = os.path.relpath(fe.get('name'), ROOT)
        if len(fe) and os.path.getmtime(name) > os.path.getmtime(r):
            stale.append(name)  # changed since the check ran: its line numbers no longer hold
            continue
        for e in fe:
            src = e.get('source')
            if 'NoInlineQualifiedName' in src: viol[name]['fqn'].add(int(e.get('line')))
            elif 'UnusedImports' in src: viol[name]['unused'].add(int(e.get('line')))
            else: viol[name]['order'] = True

skipped = []
stats = collections.Counter()
for f, v in sorted(viol.items()):
    L = open(f).read().split('\n')
    pkg = next(l.split()[1].rstrip(';') for l in L if l.startswith('package '))
    idx = [i for i, l in enumerate(L) if l.startswith('import ')]
    imports = [L[i] for i in idx if i + 1 not in v['unused']]
    stats['unused'] += len(v['unused'])
    simple = {}
    for l in imports:
        if not l.startswith('import static'):
            q = l[7:].rstrip(';').strip(); simple[q.rsplit('.', 1)[1]] = q
    text = '\n'.join(L)
    for ln in sorted(v['fqn']):
        line = L[ln - 1]; out = []; pos = 0
        for a, b in code_spans(line):
            seg = line[a:b]
            def sub(m):
                p, s = m.group(1), m.group(2); q = p + '.' + s
                declared = re.search(r'\b(class|interface|record|enum)\s+' + s + r'\b', text)
                if (s in simple and simple[s] != q) or declared or (s in pkg_classes[pkg] and p != pkg):
                    skipped.append(f'{f}:{ln}: {q}'); return m.group(0)
                if p != pkg and p != 'java.lang' and s not in simple:
                    simple[s] = q; imports.append(f'import {q};')
                stats['fqn'] += 1
                return s
            out.append(line[pos:a]); out.append(FQN.sub(sub, seg)); pos = b
        out.append(line[pos:])
        L[ln - 1] = ''.join(out)
    key = lambda l: l.rstrip(';').split()[-1].split('.')
    stat = sorted(set(l for l in imports if l.startswith('import static')), key=key)
    non = sorted(set(l for l in imports if not l.startswith('import static')), key=key)
    block = stat + ([''] if stat and non else []) + non
    if v['order']: stats['order-files'] += 1
    if idx:
        L[idx[0]:idx[-1] + 1] = block
    elif block:
        at = next(i for i, l in enumerate(L) if l.startswith('package ')) + 1
        L[at:at] = [''] + block
    open(f, 'w').write('\n'.join(L))
print(f"fully qualified names replaced: {stats['fqn']}, unused imports dropped: {stats['unused']}, "
      f"files with import order findings rewritten: {stats['order-files']}")
if stale:
    print('changed since the check ran, not touched (run the check again):', *stale, sep='\n  ')
if skipped:
    print('left alone (simple name taken):', *skipped, sep='\n  ')
