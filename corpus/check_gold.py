"""Consistency check of the hand-written corpus against its gold files (stdlib only).

    python corpus/check_gold.py            # the hand-written reports corpus/1NN_*.gold.json
    python corpus/check_gold.py 103        # those whose name contains 103

It verifies that every gold raw string occurs in the text, in order, with its label just before it; that
value_yuan / value_pct / count values follow from raw; that the stated checks hold; that every money
figure, percentage and number+measure word in the text is covered by the gold (or by must_not /
counts_optional); that headings, tasks and findings are found; and the length of each report.
This is a tool for keeping the corpus honest, not part of the pipeline.
"""
import glob
import json
import os
import re
import sys
from decimal import Decimal as D

HERE = os.path.dirname(os.path.abspath(__file__))
FULLWIDTH = {ord(c): ord(a) for c, a in zip('０１２３４５６７８９．％', '0123456789.%')}
CN = {'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
UNIT = {'元': D(1), '万元': D(10000), '亿元': D(100000000)}
MEASURE = '人次|场次|批次|万亩|万方|公里|次|项|件|篇|场|个|名|人|处|条|所|家|户|期|亩|套|台|轮|㎡'
COUNT_RE = re.compile(r'(?:近|超过|约)?(?:\d[\d,]*(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(?:余|多)?\s*(?:%s)' % MEASURE)
MONEY_RE = re.compile(r'(?<![\d,.])\d[\d,]*(?:\.\d+)?\s*(?:亿元|万元|元)|[一二两三四五六七八九十百千]+(?:亿元|万元)')
PCT_RE = re.compile(r'\d+(?:\.\d+)?%')
HEAD_RE = re.compile(r'^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|'
                     r'\d+(?:、|\.(?!\d))|[（(]\d+[）)])\s*(.+)$')


def cn_int(s):
    total, cur = 0, 0
    for ch in s:
        if ch in CN:
            cur = CN[ch]
        else:
            total += (cur or 1) * {'十': 10, '百': 100, '千': 1000}[ch]
            cur = 0
    return total + cur


def read_text(path):
    data = open(path, 'rb').read()
    for enc in ('utf-8-sig', 'gb18030'):
        try:
            return data.decode(enc).translate(FULLWIDTH), enc
        except UnicodeDecodeError:
            pass
    raise ValueError('cannot decode ' + path)


def money_value(raw, unit=None):
    m = re.fullmatch(r'([\d,.]+)\s*(万元|亿元|元)?', raw)
    if m:
        return (D(m.group(1).replace(',', '')) * UNIT[m.group(2) or unit]).quantize(D('0.01'))
    m = re.fullmatch(r'([一二两三四五六七八九十百千]+)(万元|亿元|元)', raw)
    return (D(cn_int(m.group(1))) * UNIT[m.group(2)]).quantize(D('0.01'))


def count_value(raw):
    m = re.search(r'\d[\d,]*(?:\.\d+)?', raw)
    if m:
        return D(m.group(0).replace(',', ''))
    return D(cn_int(re.search(r'[一二两三四五六七八九十百千]+', raw).group(0)))


def locate(text, items, errors, kind, label_window=60):
    """Find each raw in order; return list of (start, end)."""
    pos, spans = 0, []
    for it in items:
        raw = it['raw']
        i = text.find(raw, pos)
        if i < 0:
            errors.append('%s: raw %r (label %r) not found after offset %d' % (kind, raw, it.get('label', it.get('what')), pos))
            continue
        label = it.get('label')
        if label and 'table' not in it.get('note', '') and label not in text[max(0, i - label_window):i]:
            errors.append('%s: label %r not within %d chars before %r at %d' % (kind, label, label_window, raw, i))
        spans.append((i, i + len(raw)))
        pos = i + len(raw)
    return spans


def line_at(text, pos):
    return text[text.rfind('\n', 0, pos) + 1:(text.find('\n', pos) + 1 or len(text) + 1) - 1]


def covered(span, spans):
    return any(s <= span[0] and span[1] <= e or (s < span[1] and span[0] < e) for s, e in spans)


def all_occurrences(text, needle):
    out, i = [], text.find(needle)
    while i >= 0:
        out.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return out


def check_one(gold_path):
    gold = json.load(open(gold_path, encoding='utf-8'))
    src = os.path.join(HERE, os.path.basename(gold['source']))
    text, enc = read_text(src)
    errors, warnings = [], []
    if gold.get('encoding', 'UTF-8').upper() == 'GBK' and enc != 'gb18030':
        errors.append('expected a GBK file, decoded as %s' % enc)

    # length and title
    n_cjk = len(re.findall(r'[\u4e00-\u9fff]', text))
    low, high = gold.get('length_range', (2500, 6000))
    if not low <= n_cjk <= high:
        errors.append('length: %d Chinese characters' % n_cjk)
    first = next(l for l in text.splitlines() if l.strip())
    rep = gold['report']
    if re.sub(r'\s+', '', first) != rep['title']:
        errors.append('title: %r != %r' % (re.sub(r'\s+', '', first), rep['title']))
    if not rep['title'].startswith(rep['department']) or str(rep['year']) not in rep['title']:
        errors.append('department/year not in title')
    if rep.get('score') is not None and ('%s 分' % rep['score']) not in text and ('%s分' % rep['score']) not in text:
        errors.append('score %s not found' % rep['score'])
    if rep.get('grade') and rep['grade'] not in text:
        errors.append('grade %s not found' % rep['grade'])

    # amounts
    am = gold['amounts']
    am_spans = locate(text, am, errors, 'amount')
    for a in am:
        v = money_value(a['raw'], '万元' if 'table' in a.get('note', '') else None)
        if v != D(str(a['value_yuan'])).quantize(D('0.01')):
            errors.append('amount value: %r -> %s, gold %s' % (a['raw'], v, a['value_yuan']))
    n_unit_money = sum(1 for a in am if re.search(r'元$', a['raw']))
    # Money in indicator cells (≤520万元 as a target) is the indicators table's, not an amount.
    found_money = [m.span() for m in MONEY_RE.finditer(text) if '\t' not in line_at(text, m.start())]
    for sp in found_money:
        if not covered(sp, am_spans):
            errors.append('money figure not in gold: %r at %d' % (text[sp[0]:sp[1]], sp[0]))
    if len(found_money) != n_unit_money:
        errors.append('money figures with unit: text %d, gold %d' % (len(found_money), n_unit_money))

    # rates
    rt = gold['rates']
    rt_spans = locate(text, rt, errors, 'rate')
    for r in rt:
        if D(r['raw'].rstrip('%')) != D(str(r['value_pct'])):
            errors.append('rate value: %r vs %s' % (r['raw'], r['value_pct']))
    # Percentages in table rows (tab-separated lines) are rates only under a rate column such as
    # 执行率; indicator targets and values are not, so they are not required here.
    prose_pcts = [m for m in PCT_RE.finditer(text) if '\t' not in line_at(text, m.start())]
    for m in prose_pcts:
        if not covered(m.span(), rt_spans):
            errors.append('percentage not in gold: %r at %d' % (m.group(0), m.start()))
    table_rates = sum(1 for start, _ in rt_spans if '\t' in line_at(text, start))
    if len(prose_pcts) + table_rates != len(rt):
        errors.append('percentages: text %d, gold %d' % (len(prose_pcts) + table_rates, len(rt)))

    # counts
    ct = gold['counts']
    ct_spans = locate(text, ct, errors, 'count')
    for c in ct:
        if count_value(c['raw']) != D(str(c['value'])):
            errors.append('count value: %r vs %s' % (c['raw'], c['value']))
        # The unit as written, a multiplier included: 1.2万余次 → 万次.
        if not re.sub(r'(万|亿)(?:余|多)', r'\1', c['raw']).endswith(c['unit']):
            errors.append('count unit: %r vs %s' % (c['raw'], c['unit']))
        approx_word = bool(re.search(r'余|多|约|近|超过', c['raw']))
        if approx_word != c['approx']:
            errors.append('count approx flag: %r vs %s' % (c['raw'], c['approx']))
    mn_spans = [sp for s in gold.get('must_not', []) for sp in all_occurrences(text, s)]
    for s in gold.get('must_not', []):
        if s not in text:
            errors.append('must_not span not in text: %r' % s)
    opt = {o['raw'] for o in gold.get('counts_optional', [])}
    for m in COUNT_RE.finditer(text):
        sp = m.span()
        if '\t' in line_at(text, sp[0]):
            continue  # table cells: the indicators table holds them
        if covered(sp, ct_spans) or covered(sp, mn_spans) or covered(sp, am_spans):
            continue
        if m.group(0).lstrip('近超过约') in opt or m.group(0) in opt:
            continue
        warnings.append('number+measure word not in counts/must_not: %r in …%s…' % (
            m.group(0), text[max(0, sp[0] - 12):sp[1] + 4].replace('\n', ' ')))

    # sections
    lines = [l.strip() for l in text.splitlines()]
    heading_lines = []
    for s in gold['sections']:
        want = {s['marker'] + s['title'], s['marker'] + ' ' + s['title']}
        hits = [i for i, l in enumerate(lines) if l in want]
        if not hits:
            errors.append('heading not found: %s%s' % (s['marker'], s['title']))
        heading_lines.extend(hits)
    for i, l in enumerate(lines):
        m = HEAD_RE.match(l)
        if m and i not in heading_lines and not re.search(r'[。；;]', l) and len(l) < 40:
            errors.append('line looks like a heading but is not in gold: %r' % l)

    # tasks
    for t in gold.get('tasks', []):
        cn = '一二三四五六七八九十'[t['task_no'] - 1]
        para = next((l for l in lines if l.startswith('任务%s：' % cn)), None)
        if para is None:
            errors.append('task %d not found' % t['task_no'])
            continue
        goal = para.split('预期目标：', 1)[1].split('完成情况：', 1)[0]
        result = para.split('完成情况：', 1)[1]
        if not goal.startswith(t['goal_startswith']):
            errors.append('task %d goal starts %r' % (t['task_no'], goal[:20]))
        if not result.startswith(t['result_startswith']) or not result.endswith(t['result_endswith']):
            errors.append('task %d result %r … %r' % (t['task_no'], result[:20], result[-20:]))

    # findings
    for f in gold.get('findings', []):
        if f['startswith'] not in text:
            errors.append('finding not found: %r' % f['startswith'])

    # checks
    def first(role):
        vals = [D(str(a['value_yuan'])) for a in am if a['role'] == role]
        return vals[-1] if vals else None
    ex, bt = first('expenditure_total'), first('budget_total')
    observed = {}
    b, p = first('basic_expenditure'), first('project_expenditure')
    observed['basic_plus_project_equals_expenditure'] = 'skipped' if b is None or p is None else (
        'pass' if b + p == ex else 'fail')
    src_roles = ('source_general_public_budget', 'source_government_fund', 'source_state_capital', 'source_other')
    srcs = [first(r) for r in src_roles if first(r) is not None]
    observed['sources_sum_to_expenditure'] = 'skipped' if not srcs else ('pass' if sum(srcs) == ex else 'fail')
    pe, pu = first('personnel'), first('public_expenses')
    observed['personnel_plus_public_equals_basic'] = 'skipped' if pe is None or pu is None else (
        'pass' if pe + pu == b else 'fail')
    er = [D(str(r['value_pct'])) for r in rt if r['role'] == 'execution_rate']
    observed['execution_rate_matches'] = 'skipped' if not er else (
        'pass' if all(abs(ex / bt * 100 - x) <= D('0.05') for x in er) else 'fail')
    for c in gold['checks']:
        if observed[c['check']] != c['expected']:
            errors.append('check %s: observed %s, gold expects %s' % (c['check'], observed[c['check']], c['expected']))

    return n_cjk, errors, warnings


def main(argv):
    paths = sorted(glob.glob(os.path.join(HERE, '1[0-9][0-9]_*.gold.json')))
    if len(argv) > 1:
        paths = [p for p in paths if any(a in os.path.basename(p) for a in argv[1:])]
    bad = 0
    for p in paths:
        n, errors, warnings = check_one(p)
        print('%s: %d Chinese characters, %d errors, %d warnings' % (os.path.basename(p), n, len(errors), len(warnings)))
        for e in errors:
            print('  ERROR', e)
        for w in warnings:
            print('  warn ', w)
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
