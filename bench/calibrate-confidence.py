#!/usr/bin/env python3
# Fit the [quality] logistic weights on wcxb-dev and report how well `confidence`
# separates bad extractions (shingle F1 < 0.5) from good ones (> 0.9): ROC AUC and means.
# Usage: bench/calibrate-confidence.py [BOILERSTRIP_BINARY]   (default target/release/boilerstrip)
# Fit logistic weights for [quality] on wcxb-dev; report AUC and mean confidence for F1<0.5 vs >0.9.
import json,subprocess,sys,math,random,concurrent.futures as cf
import os; HERE=os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0,os.path.join(HERE,'..','..','shared','tools')); import score as S
BIN=sys.argv[1] if len(sys.argv)>1 else os.path.join(HERE,'..','target','release','boilerstrip')
D=os.path.join(HERE,'..','..','shared','datasets','wcxb-dev')
gold=[json.loads(l) for l in open(D+'/gold.jsonl')]
def run(g):
    o=json.loads(subprocess.run([BIN,'explain','--json',D+'/'+g['file']],capture_output=True,text=True).stdout)
    r=o['record']; text=r['text'] if r['status']=='ok' else ''
    c=S.shingle_counts(g['gold_text'],text); p,rc=S.prec(*c),S.rec(*c); f=2*p*rc/(p+rc) if p+rc else 0
    return f, [o['features'].get(k,0.0) for k in FEAT], r.get('confidence',0), r['status']=='ok'
FEAT=["log_words","kept_share","short_block_share","sentences_per_100_words","heading_share","flag_count","removed_outside_share","mean_block_words"]
with cf.ThreadPoolExecutor(3) as ex: rows=list(ex.map(run,gold))
def auc(scores,labels):
    pos=[s for s,l in zip(scores,labels) if l]; neg=[s for s,l in zip(scores,labels) if not l]
    n=0
    for a in pos:
        for b in neg: n+= 1 if a>b else 0.5 if a==b else 0
    return n/(len(pos)*len(neg))
sel=[r for r in rows if r[0]<0.5 or r[0]>0.9]
lab=[1 if r[0]>0.9 else 0 for r in sel]
print("pages bad(<0.5)",lab.count(0),"good(>0.9)",lab.count(1))
print("current conf AUC %.3f  mean bad %.3f good %.3f"%(auc([r[2] for r in sel],lab), sum(r[2] for r,l in zip(sel,lab) if not l)/max(1,lab.count(0)), sum(r[2] for r,l in zip(sel,lab) if l)/max(1,lab.count(1))))
# fit logistic regression on all pages with label F1>0.7 (gradient descent), standardised features
X=[r[1] for r in rows]; Y=[1 if r[0]>0.7 else 0 for r in rows]
k=len(FEAT); mu=[sum(x[i] for x in X)/len(X) for i in range(k)]; sd=[max(1e-6,math.sqrt(sum((x[i]-mu[i])**2 for x in X)/len(X))) for i in range(k)]
Z=[[(x[i]-mu[i])/sd[i] for i in range(k)] for x in X]
w=[0.0]*(k+1); lr=0.5; lam=1e-3
for it in range(3000):
    g=[0.0]*(k+1)
    for z,y in zip(Z,Y):
        p=1/(1+math.exp(-(w[0]+sum(a*b for a,b in zip(w[1:],z)))))
        e=p-y; g[0]+=e
        for i in range(k): g[i+1]+=e*z[i]
    w=[wi-lr*(gi/len(Z)+(lam*wi if j else 0)) for j,(wi,gi) in enumerate(zip(w,g))]
# unstandardise
W=[w[0]-sum(w[i+1]*mu[i]/sd[i] for i in range(k))]+[w[i+1]/sd[i] for i in range(k)]
def conf(x): 
    z=W[0]+sum(a*b for a,b in zip(W[1:],x)); return 1/(1+math.exp(-z))
cs=[conf(r[1]) if r[3] else 0.0 for r in sel]
print("fitted AUC %.3f  mean bad %.3f good %.3f"%(auc(cs,lab), sum(c for c,l in zip(cs,lab) if not l)/max(1,lab.count(0)), sum(c for c,l in zip(cs,lab) if l)/max(1,lab.count(1))))
print("weights = [" + ", ".join("%.4f"%x for x in W) + "]")
