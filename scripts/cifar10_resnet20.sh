#!/usr/bin/env bash
# CIFAR-10, ResNet-20 (lottery): the reference's scripts/run.sh.
# Hyper-parameters exactly as the reference's scripts/run.sh (SGD momentum 0.9, batch 128, lr 0.1 dropped x0.1
# at epochs 80 and 120, weight decay 1e-4, 160 epochs; NTK-SAP with the T and R its class recommends, the
# reference's; the paper's table is at compressions 2 6 10 14 18).
DESCRIPTION="CIFAR-10, ResNet-20 (lottery): the reference's scripts/run.sh."
NAME=resnet20-cifar10
COMPRESSIONS="${COMPRESSIONS:-2 6 10 14 18}"   # the paper's table (the reference's run.sh: 18 16 ... 2)
SETTING=(--dataset cifar10 --model resnet20 --model-class lottery --optimizer sgd --train-batch-size 128 --lr 0.1 --lr-drops 80 120 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 160)
source "$(dirname "$0")/_paper.sh"
paper_run
