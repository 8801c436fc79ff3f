#!/usr/bin/env bash
# CIFAR-100, VGG-16 with BatchNorm (lottery).
# Not stated by the reference. Our choice: the CIFAR-10 VGG-16 schedule unchanged (batch 128, lr 0.1, x0.1 at
# epochs 80 and 120, weight decay 1e-4, 160 epochs); the model is the lottery VGG-16 with BatchNorm, as for
# CIFAR-10 (the reference's lottery VGG models are the ones with a BatchNorm variant).
DESCRIPTION="CIFAR-100, VGG-16 with BatchNorm (lottery)."
NAME=vgg16-bn-cifar100
COMPRESSIONS="18 16 14 12 10 8 6 4 2"
SETTING=(--dataset cifar100 --model vgg16-bn --model-class lottery --optimizer sgd --train-batch-size 128 --lr 0.1 --lr-drops 80 120 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 160)
source "$(dirname "$0")/_paper.sh"
paper_run
