#!/usr/bin/env bash
# CIFAR-100, VGG-16 with BatchNorm (lottery class; the reference's README: lottery for CIFAR, and vgg16-bn).
# The reference has no script for it. Our choice, from the two public re-runs that agree (BeiYazi0/NTK-SAP and
# iurada/px-ntk-pruning): SGD with Nesterov momentum 0.9 (--optimizer momentum), batch 128, lr 0.1 dropped x0.1 at
# epochs 60 and 120, weight decay 5e-4, 160 epochs. Synaptic-Flow's own CIFAR-100 VGG-16 runs used the same
# schedule with weight decay 1e-4: pass --weight-decay 1e-4 to follow them.
# Each pruner runs with the T, BatchNorm mode and (NTK-SAP) R its class recommends: see 'ntksap pruners'.
DESCRIPTION="CIFAR-100, VGG-16 with BatchNorm (lottery)."
NAME=vgg16-bn-cifar100
COMPRESSIONS="${COMPRESSIONS:-2 6 10 14 18}"   # the paper's table (the reference's run.sh: 18 16 ... 2)
SETTING=(--dataset cifar100 --model vgg16-bn --model-class lottery --optimizer momentum --train-batch-size 128 --lr 0.1 --lr-drops 60 120 --lr-drop-rate 0.1 --weight-decay 5e-4 --post-epochs 160)
source "$(dirname "$0")/_paper.sh"
paper_run
