console.log('frame benchmark: see issue 3');
