#!/usr/bin/env bash
# CIFAR-10, VGG-16 with BatchNorm (lottery).
# The reference states hyper-parameters only for ResNet-20 (scripts/run.sh). Our choice: the same 160-epoch SGD
# schedule (batch 128, lr 0.1, x0.1 at 80 and 120, weight decay 1e-4), the recipe of Frankle et al. (2021)
# for VGG-16 on CIFAR-10, which the paper follows; the paper's VGG-16 is the lottery VGG-16 with BatchNorm.
DESCRIPTION="CIFAR-10, VGG-16 with BatchNorm (lottery)."
NAME=vgg16-bn-cifar10
COMPRESSIONS="${COMPRESSIONS:-2 6 10 14 18}"   # the paper's table (the reference's run.sh: 18 16 ... 2)
SETTING=(--dataset cifar10 --model vgg16-bn --model-class lottery --optimizer sgd --train-batch-size 128 --lr 0.1 --lr-drops 80 120 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 160)
source "$(dirname "$0")/_paper.sh"
paper_run
